/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-ROM facts the execution engine uses (engine_rom.c). Private to the engine. */
#ifndef MTKBAK_SIM_ENGINE_ROM_H
#define MTKBAK_SIM_ENGINE_ROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENGINE_ROM_BASE 0xFFF00000u

struct engine_rom {
	uint16_t hw_code;
	const char *name;
	uint32_t rom_len;
	uint32_t reset_cache;  /* ARM: the reset code's first call (r0 = 1: caches) */
	uint32_t scatter_load; /* ARM: the reset code's copy of the ROM's data into SRAM */
	uint32_t mem_init;     /* Thumb: the download path's SRAM set-up (D7's region table) */
	uint32_t trampoline;   /* ARM code: the end of D5 */
	uint32_t trampoline_word;
	uint32_t select_io; /* Thumb (bit 0 set) */
	uint16_t select_io_half;
	uint32_t cmd_loop;	    /* Thumb: the command loop, entered after the handshake */
	uint32_t putc, flush, getc; /* Thumb, lowest-level USB character I/O */
	uint32_t usb_poll;	    /* Thumb: the polled USB interrupt service */
	uint16_t usb_poll_half;
	uint32_t usb_state;    /* byte: 3 = configured */
	uint32_t usb_tx;       /* u32 count + 64-byte packet buffer */
	uint32_t usb_rx;       /* u32 count + 64-byte packet buffer */
	uint32_t usb_rx_index; /* u32 */
	uint32_t usb_tx_done;  /* u8 */
	uint32_t usb_ep_ptrs;  /* two pointers to endpoint descriptors (first byte: number) */
	uint32_t usb_ep_desc;  /* free SRAM where the engine puts the two descriptors */
	uint8_t usb_in_ep, usb_out_ep;
	uint32_t watchdog_swrst;
};

const struct engine_rom *engine_rom_find(uint16_t hw_code);
/* 0 when the dump holds the code the table describes; -1 with the reason. */
int engine_rom_check(const struct engine_rom *r, const uint8_t *rom, size_t len, char *why,
		     size_t whylen);

#endif
