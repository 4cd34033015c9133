/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Serial NOR facts shared by the simulated flash (sim/sim_nor.c) and the restore engine
 * (src/restore): opcodes, status-register bits and the block-protect table.
 *
 * Block protection: the common layout of Winbond W25Q and GigaDevice GD25Q parts (and most
 * SPI NOR of this class): status register 1 bits 2..4 are BP0..BP2, bit 5 is TB (top/bottom).
 * BP = 0 protects nothing, BP = 7 everything; BP = 1..6 protects flash_size >> (7 - BP)
 * bytes at the top (TB = 0) or the bottom (TB = 1) of the array (W25Q128JV datasheet,
 * table "Status Register Memory Protection (CMP = 0)": BP = 1 is the upper 256 KiB of
 * 16 MiB, doubling per step). Parts that use bit 6 (SEC, 4 KiB granularity) or CMP are not
 * described by this table; the restore engine therefore treats any set BP bit outside the
 * table as protecting everything. */
#ifndef MTKBAK_NOR_H
#define MTKBAK_NOR_H

#include <stdint.h>

enum nor_opcode {
	NOR_OP_WRSR = 0x01, /* write status register 1 [and 2] */
	NOR_OP_PP = 0x02,   /* page program */
	NOR_OP_READ = 0x03,
	NOR_OP_WRDI = 0x04, /* write disable */
	NOR_OP_RDSR = 0x05, /* read status register 1 */
	NOR_OP_WREN = 0x06, /* write enable */
	NOR_OP_FREAD = 0x0B,
	NOR_OP_RDSR3 = 0x15,
	NOR_OP_SE = 0x20,    /* 4 KiB sector erase */
	NOR_OP_WRSR2 = 0x31, /* write status register 2 */
	NOR_OP_RDSR2 = 0x35,
	NOR_OP_BE32 = 0x52, /* 32 KiB block erase */
	NOR_OP_SFDP = 0x5A,
	NOR_OP_CE_60 = 0x60, /* chip erase */
	NOR_OP_JEDEC = 0x9F,
	NOR_OP_CE = 0xC7,   /* chip erase */
	NOR_OP_BE64 = 0xD8, /* 64 KiB block erase */
};

#define NOR_SR_WIP	0x01u /* write in progress (busy) */
#define NOR_SR_WEL	0x02u /* write-enable latch */
#define NOR_SR_BP_MASK	0x1Cu /* BP0..BP2 */
#define NOR_SR_BP_SHIFT 2
#define NOR_SR_TB	0x20u
#define NOR_SR_SEC	0x40u
#define NOR_SR_SRP	0x80u
#define NOR_PAGE	256u
#define NOR_SECTOR	4096u

/* True for every opcode that changes the array or the status register (what only a write
 * session may send). */
static inline int nor_op_writes(uint8_t op)
{
	switch (op) {
	case NOR_OP_WRSR:
	case NOR_OP_PP:
	case NOR_OP_WREN:
	case NOR_OP_SE:
	case NOR_OP_WRSR2:
	case NOR_OP_BE32:
	case NOR_OP_CE_60:
	case NOR_OP_CE:
	case NOR_OP_BE64:
	case 0x32: /* quad page program */
	case 0x38: /* quad page program (Macronix) */
	case 0x11: /* write status register 3 */
	case 0x42: /* program security registers */
	case 0x44: /* erase security registers */
	case 0x50: /* volatile status register write enable */
		return 1;
	default:
		return 0;
	}
}

/* The protected byte range [*start, *end) for status register 1 on a part of flash_len
 * bytes, per the table above; start == end when nothing is protected. Returns 0, or -1 when
 * the bits are outside the table (SEC set with BP != 0): then treat the whole part as
 * protected. */
static inline int nor_protected_range(uint8_t sr1, uint32_t flash_len, uint32_t *start,
				      uint32_t *end)
{
	unsigned bp = (sr1 & NOR_SR_BP_MASK) >> NOR_SR_BP_SHIFT;
	uint32_t size;

	*start = *end = 0;
	if (bp == 0)
		return 0;
	if (bp == 7 || (sr1 & NOR_SR_SEC)) {
		*end = flash_len;
		return bp == 7 ? 0 : -1;
	}
	size = flash_len >> (7u - bp);
	if (sr1 & NOR_SR_TB) {
		*end = size;
	} else {
		*start = flash_len - size;
		*end = flash_len;
	}
	return 0;
}

#endif
