/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LZ4 block decoder for the agent's compressed READ packets (the block format as the lz4
 * project specifies it, summed up in doc/agent.md section 3.4; agent/core/lz4_enc.c encodes).
 * Small and self-contained so every build of mtkbak (Linux, Windows, macOS) has it without a
 * new library; tests/unit/wire checks it against Debian's liblz4 and tests/fuzz/fuzz_lz4.c
 * fuzzes it. */
#ifndef MTKBAK_LZ4_BLOCK_H
#define MTKBAK_LZ4_BLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the block src[0:srclen] into exactly dstlen bytes at dst. Returns 0 when the block
 * is well formed and produces exactly dstlen bytes; -EBADMSG otherwise (truncated, a match
 * reaching before dst, output that would pass dstlen, trailing bytes, or a short result).
 * Never reads outside src[0:srclen], never writes outside dst[0:dstlen]; on failure dst holds
 * garbage the caller must not use. */
int mtk_lz4_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen);

#endif
