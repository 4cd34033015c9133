/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CRC-32 (zlib's) for the readback: the same slicing-by-8 code the agent protocol uses
 * (src/da/agent/core/crc32.c), so host and watch can never disagree on the polynomial. */
#include "mtkbak/da.h"
#include "readback/rb_internal.h"

uint32_t rb_crc32(uint32_t crc, const void *data, size_t len)
{
	return da_crc32_update(crc, data, len);
}

int rb_crc32_self_check(void)
{
	/* the standard check value, plus chaining across a split */
	uint32_t whole = rb_crc32(0, "123456789", 9);
	uint32_t split = rb_crc32(rb_crc32(0, "1234", 4), "56789", 5);

	return whole == 0xCBF43926u && split == whole ? 0 : -1;
}
