/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the execution engine knows about each boot ROM: the addresses it runs, hooks or
 * seeds, read from the dumps in ../shared/corpus/brom/ with arm-none-eabi-objdump (Thumb at
 * 0xFFF00000). The engine checks the ROM bytes at each address before it trusts the entry
 * (a different ROM revision is refused with a log line, not mis-run). */
#include <stdio.h>
#include <string.h>

#include "engine_rom.h"

static const struct engine_rom engine_roms[] = {
    {
	.hw_code = 0x6261,
	.name = "MT6261",
	.rom_len = 0x8800,
	/* the reset code (0xFFF00078-0xFFF000B0) calls these before the ROM's main */
	.reset_cache = 0xFFF074A4u,
	.scatter_load = 0xFFF07D18u, /* 0x128 bytes from 0xFFF083D8 to 0x70003F60, bss */
	/* called by the download path's set-up (0xFFF052B2 -> 0xFFF0531C): clears
	 * 0x70002004-0x70002040 unless marked "RESV", points D7's forbidden-region table
	 * (0xFFF08134, 7 entries) at 0x7000444C */
	.mem_init = 0xFFF04FA5u,
	/* ARM: lr = r0 (target), r4/r5 = r1/r2, sp = [0xFFF0812C] - 8 = 0x70003F58,
	 * r0-r3 = [0xFFF00038] = 0xBBBBBBBB, bx lr */
	.trampoline = 0xFFF000B4u,
	.trampoline_word = 0xE1A0E000u, /* mov lr, r0 */
	/* select_io(1): USB read/write/flush into the SRAM table at 0x700044A8 */
	.select_io = 0xFFF0578Fu,
	.select_io_half = 0xB580u, /* push {r7, lr} */
	/* read a command byte, echo it (FF: send 05), dispatch; D5 jumps from inside */
	.cmd_loop = 0xFFF061F7u,
	.putc = 0xFFF01C69u,
	.flush = 0xFFF01CB1u,
	.getc = 0xFFF01D1Fu,
	/* the USB controller's polled interrupt service (called by putc/flush/getc while
	 * they wait); the engine models what it does */
	.usb_poll = 0xFFF01795u,
	.usb_poll_half = 0xB5F8u,	    /* push {r3-r7, lr} */
	.usb_state = 0x70004878u + 13u,	    /* putc drops bytes unless this is 3 */
	.usb_tx = 0x700048ACu,		    /* u32 count, then 64 bytes */
	.usb_rx = 0x700048ACu + 0x44u,	    /* u32 count, then 64 bytes */
	.usb_rx_index = 0x7000418Cu + 4u,   /* u32: next byte getc takes */
	.usb_tx_done = 0x70004194u,	    /* u8: the ISR sets it when the host took a packet */
	.usb_ep_ptrs = 0x700041A8u,	    /* {IN endpoint *, OUT endpoint *} */
	.usb_ep_desc = 0x700041A8u + 0x40u, /* where the engine seeds the endpoint numbers */
	.usb_in_ep = 1,
	.usb_out_ep = 1,
	.watchdog_swrst = 0xA003001Cu,
    },
    {
	.hw_code = 0x6260,
	.name = "MT6260",
	.rom_len = 0xC800,
	.reset_cache = 0xFFF0AACCu,
	.scatter_load = 0xFFF0B3ACu,
	.mem_init = 0xFFF08209u, /* region table 0xFFF0BC60 */
	.trampoline = 0xFFF000E4u,
	.trampoline_word = 0xE1A0E000u,
	.select_io = 0xFFF08A17u,
	.select_io_half = 0xB580u,
	.cmd_loop = 0xFFF096D9u,
	.putc = 0xFFF047F5u,
	.flush = 0xFFF04845u,
	.getc = 0xFFF048BBu,
	.usb_poll = 0xFFF04315u,
	.usb_poll_half = 0xB5F8u,
	.usb_state = 0x7000510Cu + 13u,
	.usb_tx = 0x70005140u,
	.usb_rx = 0x70005140u + 0x44u,
	.usb_rx_index = 0x700041BCu + 4u,
	.usb_tx_done = 0x700041C4u,
	.usb_ep_ptrs = 0x700041D8u,
	.usb_ep_desc = 0x700041D8u + 0x40u,
	.usb_in_ep = 1,
	.usb_out_ep = 1,
	.watchdog_swrst = 0xA003001Cu,
    },
};

const struct engine_rom *engine_rom_find(uint16_t hw_code)
{
	for (size_t i = 0; i < sizeof(engine_roms) / sizeof(engine_roms[0]); i++)
		if (engine_roms[i].hw_code == hw_code)
			return &engine_roms[i];
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool half_at(const uint8_t *rom, size_t len, uint32_t addr, uint16_t want)
{
	uint32_t off = (addr & ~1u) - ENGINE_ROM_BASE;

	return off + 2 <= len && le16(rom + off) == want;
}

int engine_rom_check(const struct engine_rom *r, const uint8_t *rom, size_t len, char *why,
		     size_t whylen)
{
	uint32_t t = r->trampoline - ENGINE_ROM_BASE;

	if (len < r->rom_len) {
		snprintf(why, whylen, "the dump has %zu bytes, the %s boot ROM has %u", len,
			 r->name, (unsigned)r->rom_len);
		return -1;
	}
	if (t + 4 > len || le32(rom + t) != r->trampoline_word) {
		snprintf(why, whylen, "no D5 trampoline at 0x%08X: not the %s boot ROM I know",
			 (unsigned)r->trampoline, r->name);
		return -1;
	}
	if (le32(rom + (r->reset_cache - ENGINE_ROM_BASE)) != 0xE52DE004u ||
	    le32(rom + (r->scatter_load - ENGINE_ROM_BASE)) != 0xE92D401Fu) {
		snprintf(why, whylen, "the reset code's calls are not where the %s table says",
			 r->name);
		return -1;
	}
	if (!half_at(rom, len, r->mem_init, 0xB570u) ||
	    !half_at(rom, len, r->select_io, r->select_io_half) ||
	    !half_at(rom, len, r->usb_poll, r->usb_poll_half) ||
	    !half_at(rom, len, r->cmd_loop, 0xB510u) || !half_at(rom, len, r->putc, 0xB5F8u) ||
	    !half_at(rom, len, r->flush, 0xB5F8u) || !half_at(rom, len, r->getc, 0xB598u)) {
		snprintf(why, whylen,
			 "the I/O routines are not where the %s table says: another ROM revision",
			 r->name);
		return -1;
	}
	return 0;
}
