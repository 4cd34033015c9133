/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the compressed READ's LZ4 block decoder (src/wire/lz4_block.c) and the
 * agent's encoder (agent/core/lz4_enc.c). Input: a 2-byte output length, then the bytes.
 *   - the bytes as a block from the wire, decoded into a buffer of exactly that length
 *     (ASan traps any write past it or read past the input);
 *   - the bytes as flash data, compressed by the agent's encoder with a tight cap and decoded
 *     again: the result must be the same bytes, and the encoder must respect its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lz4_enc.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/lz4_block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint16_t tab[AGENT_LZ4_TAB];
	size_t outlen;
	uint8_t *out;

	if (size < 2)
		return 0;
	outlen = 1u + ((size_t)data[0] << 8 | data[1]) % AGENT_MAX_PACKET;
	data += 2;
	size -= 2;

	out = malloc(outlen);
	if (!out)
		return 0;
	if (mtk_lz4_decode(data, size, out, outlen) == 0 && size == 0)
		__builtin_trap(); /* nothing cannot decode to something */
	free(out);

	if (size > 0 && size <= AGENT_ZBLOCK_MAX) {
		uint32_t n = (uint32_t)size, cap = n > 1 ? n - 1u : 1u, z;
		uint8_t *enc = malloc(cap), *back = malloc(n);

		if (enc && back) {
			z = agent_lz4_block(data, n, enc, cap, tab);
			if (z > cap)
				__builtin_trap();
			if (z &&
			    (mtk_lz4_decode(enc, z, back, n) != 0 || memcmp(back, data, n) != 0))
				__builtin_trap();
		}
		free(enc);
		free(back);
	}
	return 0;
}
