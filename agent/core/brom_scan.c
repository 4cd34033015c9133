/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boot ROM I/O table scan: see brom_scan.h. Every read is bounds-checked against the dump. */
#include "brom_scan.h"

#include "mtkbak/agent_wire.h"

#define SRAM_START 0x70000000u
#define SRAM_END   0x70100000u

static uint32_t rom_word(const uint8_t *rom, uint32_t off)
{
	return mtk_get_le32(rom + off);
}

/* A Thumb routine inside the ROM: odd, and its first halfword lies in the dump. */
static int is_rom_thumb(uint32_t v, uint32_t base, uint32_t len)
{
	return (v & 1u) && v - base < len - 1u;
}

static int is_rom_addr(uint32_t v, uint32_t base, uint32_t len)
{
	return v - base < len;
}

/* Decodes the first "ldr rX, [pc, #imm8*4]" (Thumb 01001 Rd imm8) in the first few
 * instructions of a routine and returns the ROM offset of its literal, or -1. */
static int32_t first_pc_literal(const uint8_t *rom, uint32_t base, uint32_t len, uint32_t fn)
{
	uint32_t at = (fn & ~1u) - base;

	for (uint32_t i = 0; i < 8u && at + 2u * i + 1u < len; i++) {
		uint32_t pc = at + 2u * i;
		uint16_t insn = (uint16_t)(rom[pc] | (uint16_t)rom[pc + 1u] << 8);

		if ((insn & 0xF800u) == 0x4800u) {
			uint32_t lit = ((pc + 4u) & ~3u) + 4u * (insn & 0xFFu);

			if (lit > len - 4u)
				return -1;
			return (int32_t)lit;
		}
	}
	return -1;
}

static int tables_valid(const uint8_t *rom, uint32_t base, uint32_t len, uint32_t usbio)
{
	uint32_t off = usbio - base;

	for (uint32_t i = 0; i < AGENT_BROM_TABLE_WORDS; i++)
		if (!is_rom_thumb(rom_word(rom, off + 4u * i), base, len))
			return 0;
	/* recv8 .. send_buf are distinct routines */
	for (uint32_t i = AGENT_USBIO_RECV8; i < AGENT_BROM_TABLE_WORDS; i++)
		for (uint32_t j = i + 1u; j < AGENT_BROM_TABLE_WORDS; j++)
			if (rom_word(rom, off + 4u * i) == rom_word(rom, off + 4u * j))
				return 0;
	return 1;
}

/* The E1 handler starts "push {r4, lr}; movs r4, #0; movs r1, #1; movs r0, #16; bl send32"
 * and then loads the ME ID buffer for send_buf with "ldr r0, [pc, #imm]" (MT6260, MT6261). */
static uint32_t find_me_id(const uint8_t *rom, uint32_t len)
{
	static const uint8_t head[8] = {0x10, 0xB5, 0x00, 0x24, 0x01, 0x21, 0x10, 0x20};
	uint32_t found = 0, n = 0;

	for (uint32_t off = 0; off + sizeof(head) + 16u <= len; off += 2u) {
		uint32_t i;

		for (i = 0; i < sizeof(head) && rom[off + i] == head[i]; i++)
			;
		if (i < sizeof(head))
			continue;
		for (uint32_t k = off + sizeof(head); k < off + sizeof(head) + 16u; k += 2u) {
			uint16_t insn = (uint16_t)(rom[k] | (uint16_t)rom[k + 1u] << 8);

			if ((insn & 0xFF00u) == 0x4800u) { /* ldr r0, [pc, #imm8*4] */
				uint32_t lit = ((k + 4u) & ~3u) + 4u * (insn & 0xFFu), v;

				if (lit > len - 4u)
					break;
				v = rom_word(rom, lit);
				if (v >= SRAM_START && v < SRAM_END) {
					found = v;
					n++;
				}
				break;
			}
		}
	}
	return n == 1 ? found : 0;
}

int agent_brom_scan(const uint8_t *rom, uint32_t base, uint32_t len, struct agent_brom_io *io)
{
	uint32_t found = 0, pair = 0;
	int32_t lit_send, lit_recv;
	uint32_t vt;

	if (!rom || !io || len < 2u * AGENT_BROM_TABLE_BYTES + 8u || len > 0x100000u ||
	    (base & 3u) || base + len < base)
		return AGENT_SCAN_NOT_FOUND;
	len &= ~3u;
	/* the pair follows both tables: pair = usbio + 48 = timer + 96 */
	for (uint32_t off = 2u * AGENT_BROM_TABLE_BYTES; off + 8u <= len; off += 4u) {
		uint32_t a = rom_word(rom, off), b = rom_word(rom, off + 4u);

		if (b != base + off - AGENT_BROM_TABLE_BYTES || a != b - AGENT_BROM_TABLE_BYTES)
			continue;
		if (!is_rom_addr(a, base, len) || !tables_valid(rom, base, len, b))
			continue;
		found++;
		pair = off;
	}
	if (found == 0)
		return AGENT_SCAN_NOT_FOUND;
	if (found > 1)
		return AGENT_SCAN_AMBIGUOUS;

	io->pair_addr = base + pair;
	io->timer_table = rom_word(rom, pair);
	io->usbio_table = rom_word(rom, pair + 4u);
	for (uint32_t i = 0; i < AGENT_BROM_TABLE_WORDS; i++)
		io->usbio[i] = rom_word(rom, io->usbio_table - base + 4u * i);

	/* recv_buf and send_buf both start by loading the SRAM I/O table address */
	lit_send = first_pc_literal(rom, base, len, io->usbio[AGENT_USBIO_SEND_BUF]);
	lit_recv = first_pc_literal(rom, base, len, io->usbio[AGENT_USBIO_RECV_BUF]);
	if (lit_send < 0 || lit_recv < 0)
		return AGENT_SCAN_NO_VTABLE;
	vt = rom_word(rom, (uint32_t)lit_send);
	if (vt != rom_word(rom, (uint32_t)lit_recv) || vt < SRAM_START || vt >= SRAM_END ||
	    (vt & 3u))
		return AGENT_SCAN_NO_VTABLE;
	io->io_vtable = vt;
	io->io_vtable_literal = base + (uint32_t)lit_send;

	io->usb_read = io->usb_write = io->usb_flush = 0;
	if ((uint32_t)lit_send + 16u <= len) {
		uint32_t r = rom_word(rom, (uint32_t)lit_send + 4u);
		uint32_t w = rom_word(rom, (uint32_t)lit_send + 8u);
		uint32_t f = rom_word(rom, (uint32_t)lit_send + 12u);

		if (is_rom_thumb(r, base, len) && is_rom_thumb(w, base, len) &&
		    is_rom_thumb(f, base, len)) {
			io->usb_read = r;
			io->usb_write = w;
			io->usb_flush = f;
		}
	}
	io->me_id = find_me_id(rom, len);
	return AGENT_SCAN_OK;
}
