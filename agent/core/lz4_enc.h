/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small LZ4 block encoder for the agent: the block format as the lz4 project specifies it
 * (summed up in doc/agent.md section 3.4); the host decodes with src/wire/lz4_block.c. Plain C
 * without libc, like the rest of core/. */
#ifndef MTKBAK_AGENT_LZ4_ENC_H
#define MTKBAK_AGENT_LZ4_ENC_H

#include <stdint.h>

/* Hash table entries (16-bit positions): 2^AGENT_LZ4_HBITS * 2 bytes of workspace. */
#ifndef AGENT_LZ4_HBITS
#define AGENT_LZ4_HBITS 10
#endif
#define AGENT_LZ4_TAB (1u << AGENT_LZ4_HBITS)

/* Compresses src[0:n] (n <= 65536) into dst[0:cap] as one independent LZ4 block.
 * Returns the compressed length (1 .. cap), or 0 when the block does not fit in cap bytes or
 * is too short to compress (n < 13): the caller then sends it raw. Reads src only inside
 * [0, n), writes dst only inside [0, cap). tab is scratch (AGENT_LZ4_TAB entries). */
uint32_t agent_lz4_block(const uint8_t *src, uint32_t n, uint8_t *dst, uint32_t cap, uint16_t *tab);

#endif
