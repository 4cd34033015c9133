/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot ROM's vocabulary, shared by the host (src/brom, src/da), the agent (agent/core,
 * which answers some of these commands the way the ROM does) and the simulated ROM
 * (sim/sim_brom.c): command bytes, status words and what each status means. The protocol as
 * mtkbak speaks it is described in doc/brom-protocol.md (statuses: section 3.4). Freestanding:
 * macros only, so the agent on the watch includes it too. */
#ifndef MTKBAK_BROM_WIRE_H
#define MTKBAK_BROM_WIRE_H

/* The handshake: the host sends these four bytes one by one, the ROM answers each with its
 * complement (0xFF - byte). */
#define BROM_START_0 0xA0u
#define BROM_START_1 0x0Au
#define BROM_START_2 0x50u
#define BROM_START_3 0x05u

/* Command bytes. Every command but GET_VERSION (and GET_BL_VERSION in the ROM) echoes its
 * byte and its arguments before answering. */
#define BROM_CMD_GET_VERSION	0xFFu /* answers BROM_VERSION without an echo */
#define BROM_CMD_GET_BL_VERSION 0xFEu /* the ROM answers the same byte back */
#define BROM_CMD_LEGACY_READ16	0xA2u /* READ16 with no status words */
#define BROM_CMD_READ16		0xD0u
#define BROM_CMD_READ32		0xD1u
#define BROM_CMD_WRITE16	0xD2u
#define BROM_CMD_WRITE16_NE	0xD3u /* WRITE16 whose values are not echoed */
#define BROM_CMD_WRITE32	0xD4u
#define BROM_CMD_JUMP_DA	0xD5u
#define BROM_CMD_SEND_DA	0xD7u
#define BROM_CMD_TARGET_CONFIG	0xD8u
#define BROM_CMD_UART1_SET_BAUD 0xDCu
#define BROM_CMD_GET_ME_ID	0xE1u

#define BROM_VERSION	0x05u /* GET_VERSION's answer from a boot ROM */
#define BROM_BL_VERSION 0xFEu /* GET_BL_VERSION's answer from a boot ROM (no bootloader) */
#define BROM_ME_ID_LEN	16u
#define BROM_MAX_COUNT	0x40000000u /* READ/WRITE: a count >= 2^30 is refused */

/* GET_TARGET_CONFIG (D8) bits. */
#define BROM_CFG_SBC 0x00000001u /* secure boot */
#define BROM_CFG_SLA 0x00000002u /* serial link authorization */
#define BROM_CFG_DAA 0x00000004u /* download agent authentication */

/* Status words. Below BROM_ST_ERROR a status is a success. */
#define BROM_ST_OK	 0x0000u /* also: READ done */
#define BROM_ST_WRITE_OK 0x0001u
#define BROM_ST_ERROR	 0x0100u /* statuses from here on are errors */

/* clang-format off */
/* The error statuses and their meanings: X(NAME, VALUE, TEXT). */
#define BROM_STATUS_LIST(X)                                                              \
	X(BROM_ST_W_ODD16,     0x1D00u, "write address is not 2-byte aligned")             \
	X(BROM_ST_W_ODD32,     0x1D01u, "write address is not 4-byte aligned")             \
	X(BROM_ST_W_RANGE,     0x1D02u, "write to an address range that is not allowed")   \
	X(BROM_ST_W_RANGE2,    0x1D03u, "write to an address range that is not allowed")   \
	X(BROM_ST_W_RANGE3,    0x1D04u, "write to an address range that is not allowed")   \
	X(BROM_ST_W_COUNT0,    0x1D05u, "write count is 0")                                \
	X(BROM_ST_R_ODD16,     0x1D06u, "read address is not 2-byte aligned")              \
	X(BROM_ST_R_ODD32,     0x1D07u, "read address is not 4-byte aligned")              \
	X(BROM_ST_R_RANGE,     0x1D08u, "read from an address range that is not allowed")  \
	X(BROM_ST_R_COUNT0,    0x1D09u, "read count is 0")                                 \
	X(BROM_ST_SECURE,      0x1D0Du, "secure part: signed code required (SLA/DAA)")     \
	X(BROM_ST_JUMP_OUTSIDE,0x1D0Fu, "jump target is not inside uploaded code")         \
	X(BROM_ST_DA_TOO_MANY, 0x1D10u, "too many uploads (the boot ROM's table is full)") \
	X(BROM_ST_DA_ODD,      0x1D11u, "upload address is odd")                           \
	X(BROM_ST_DA_RANGE,    0x1D12u, "upload address range not allowed on this chip")   \
	X(BROM_ST_DA_SIZE0,    0x1D13u, "upload size is 0")                                \
	X(BROM_ST_DA_SIG_SIZE, 0x1D14u, "upload is not larger than its signature")         \
	X(BROM_ST_DA_NEED_SIG, 0x1D15u, "a signature is required")                         \
	X(BROM_ST_JUMP_NO_DA,  0x1D16u, "nothing was uploaded to jump to")                 \
	X(BROM_ST_JUMP_MISMATCH,0x1D17u,"jump target does not match the upload")           \
	X(BROM_ST_R_COUNT,     0x1D19u, "read count too large")                            \
	X(BROM_ST_BAUD,        0x1D1Du, "baud rate out of range")                          \
	X(BROM_ST_SIG_NO_KEY,  0x7017u, "signature check failed (no key)")                 \
	X(BROM_ST_RANGE_SIZE0, 0x706Au, "range check of an empty range")                   \
	X(BROM_ST_RANGE_WRAP,  0x706Bu, "the address range wraps past 0xFFFFFFFF")
/* clang-format on */

#define BROM_ST_ENUM_(name, value, text) name = value,
enum brom_status_word { BROM_STATUS_LIST(BROM_ST_ENUM_) };
#undef BROM_ST_ENUM_

#endif
