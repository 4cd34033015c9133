/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CRC-32/ISO-HDLC (the zlib/PNG CRC: poly 0xEDB88320 reflected, init and xorout 0xFFFFFFFF),
 * shared by the agent and the host. Chainable like zlib's crc32():
 * crc = mtk_crc32(0, a, n); crc = mtk_crc32(crc, b, m) equals the CRC of a||b. */
#ifndef MTKBAK_CRC32_H
#define MTKBAK_CRC32_H

#include <stdint.h>

/* Slicing-by-8 tables: fast on the host (8 KiB of constants). */
uint32_t mtk_crc32(uint32_t crc, const void *buf, uint32_t len);
/* 16-entry table: what the agent uses on the watch, where SRAM is tight. Same results. */
uint32_t mtk_crc32_small(uint32_t crc, const void *buf, uint32_t len);

#endif
