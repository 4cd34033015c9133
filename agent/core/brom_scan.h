/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finds the boot ROM's I/O routines (doc/agent.md section 2, the method of mediatek_flash's
 * payload): the ROM holds two adjacent pointers to two 12-word tables that sit right before
 * them. The second ("usbio") table is
 *   { 3 x timer/log helpers, get_io_type, recv8, send8, recv16, send16, recv32, send32,
 *     recv_buf(buf, len, xor_checksum), send_buf(buf, len) }
 * whose routines go through the live I/O driver table in SRAM (USB or UART):
 *   { u8 type; read(buf, len, timeout) @+4; write(buf, len, timeout) @+8; flush() @+12 }.
 * send_buf starts by loading that SRAM address from a literal; the literal pool after it
 * holds the USB driver routines the ROM installs there (fernly's "USB read/write/flush").
 *
 * Portable C: runs on the watch over the ROM itself and on the host over ROM dumps. */
#ifndef MTKBAK_AGENT_BROM_SCAN_H
#define MTKBAK_AGENT_BROM_SCAN_H

#include <stdint.h>

#define AGENT_BROM_TABLE_WORDS 12u
#define AGENT_BROM_TABLE_BYTES (4u * AGENT_BROM_TABLE_WORDS)

enum agent_usbio_slot {
	AGENT_USBIO_GET_TYPE = 3,
	AGENT_USBIO_RECV8 = 4,
	AGENT_USBIO_SEND8 = 5,
	AGENT_USBIO_RECV16 = 6,
	AGENT_USBIO_SEND16 = 7,
	AGENT_USBIO_RECV32 = 8,
	AGENT_USBIO_SEND32 = 9,
	AGENT_USBIO_RECV_BUF = 10,
	AGENT_USBIO_SEND_BUF = 11,
};

/* Offsets in the SRAM I/O driver table */
#define AGENT_IOVT_READ	 4u
#define AGENT_IOVT_WRITE 8u
#define AGENT_IOVT_FLUSH 12u

struct agent_brom_io {
	uint32_t pair_addr;			/* where the two table pointers are */
	uint32_t timer_table;			/* first pointer */
	uint32_t usbio_table;			/* second pointer */
	uint32_t usbio[AGENT_BROM_TABLE_WORDS]; /* Thumb routine addresses (bit 0 set) */
	uint32_t io_vtable;			/* SRAM address of the live I/O driver table */
	uint32_t io_vtable_literal; /* ROM address of the literal that holds io_vtable */
	/* The USB driver the ROM installs in the I/O table (the three words after the
	 * literal); 0 when they do not look like ROM routines. */
	uint32_t usb_read, usb_write, usb_flush;
	/* SRAM address of the 16-byte ME ID the ROM's GET_ME_ID (E1) handler sends, found by
	 * that handler's code (send32(16), then send_buf(ME ID, 16)); 0 if not found. */
	uint32_t me_id;
};

#define AGENT_SCAN_OK	     0
#define AGENT_SCAN_NOT_FOUND (-1) /* no table pair with valid routines */
#define AGENT_SCAN_AMBIGUOUS (-2) /* more than one candidate: refuse to guess */
#define AGENT_SCAN_NO_VTABLE (-3) /* table found, but send_buf does not load an SRAM table */

/* Scans rom[0:len] (mapped at base; len <= 1 MiB, word-aligned base) and fills *io. */
int agent_brom_scan(const uint8_t *rom, uint32_t base, uint32_t len, struct agent_brom_io *io);

#endif
