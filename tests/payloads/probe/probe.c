/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A foreign payload for the simulated watch's execution engine: written the way the open
 * payloads that run on real MT62xx watches are (no code from mtkbak's agent), so the test
 * shows the engine runs code it was not built around.
 *
 * - finds the boot ROM's I/O routines by scanning the ROM for the pair of pointers to its
 *   timer table (12 words) and its usbio table (12 words) that sit right before the pair;
 * - talks through the usbio routines (recv8/send8/recv32/send32/send_buf), i.e. through the
 *   ROM's own USB driver;
 * - reads the flash's JEDEC ID and flash bytes through the serial flash controller at
 *   0xA0140000 in PIO mode, and flash bytes through the memory window at 0 (remap = 2).
 *
 * Protocol (bytes from the host are echoed first, 32-bit values are big-endian):
 *   after start:  send32 0x50524F42 ("PROB")
 *   'I'           send_buf(JEDEC ID, 3)
 *   'R' addr n    n <= 128: send_buf(flash[addr : addr+n]) read with SPI command 0x03
 *   'M' addr n    n <= 4096: send_buf of the memory window at addr (flash at 0)
 *   'Z'           watchdog software reset */
#include <stdint.h>

struct rom_usbio {
	uint32_t helpers[4];
	int (*recv8)(void);
	int (*send8)(int val, int flush);
	int (*recv16)(void);
	int (*send16)(int val, int flush);
	int (*recv32)(void);
	int (*send32)(int val, int flush);
	int (*recv_buf)(void *buf, int len, int checksum);
	int (*send_buf)(const void *buf, int len, int unused);
};

#define REG32(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))
#define REG8(a)	 (*(volatile uint8_t *)(a))

#define ROM_START 0xFFF00000u
#define ROM_END	  0xFFF10000u
#define TABLE	  48u /* 12 words */

#define SFC	  0xA0140000u
#define SFC_CTL	  (SFC + 0x00u)
#define SFC_CTL1  (SFC + 0x08u)
#define SFC_WLEN  (SFC + 0x10u)
#define SFC_RLEN  (SFC + 0x14u)
#define SFC_BUF	  (SFC + 0x800u)
#define WDT_MODE  0xA0030000u
#define WDT_SWRST 0xA003001Cu
#define REMAP	  0xA0510000u

void probe_main(void);

static int in_rom(uint32_t p)
{
	return p >= ROM_START && p < ROM_END;
}

static struct rom_usbio *find_usbio(void)
{
	for (uint32_t a = ROM_START + 2 * TABLE; a + 8 <= ROM_END; a += 4) {
		uint32_t timer = REG32(a), usbio = REG32(a + 4);

		if (!in_rom(timer) || usbio != timer + TABLE || a != usbio + TABLE)
			continue;
		for (uint32_t i = 4; i < 12; i++)
			if (!in_rom(REG32(usbio + 4 * i)) || !(REG32(usbio + 4 * i) & 1))
				goto next;
		return (struct rom_usbio *)usbio;
	next:;
	}
	return 0;
}

static void sfc_xfer(const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	uint32_t i, w = 0, ctl;

	for (i = 0; i < txlen; i++) {
		w |= (uint32_t)tx[i] << (8 * (i & 3));
		if ((i & 3) == 3 || i + 1 == txlen) {
			REG32(SFC_BUF + (i & ~3u)) = w;
			w = 0;
		}
	}
	REG32(SFC_WLEN) = txlen;
	REG32(SFC_RLEN) = rxlen;
	ctl = (REG32(SFC_CTL) | 0x08u) & ~0x10u; /* enable, single SPI */
	for (i = 0; i < 100000 && !(REG32(SFC_CTL1) & 0x100u); i++)
		;		      /* bus idle (the ROM waits about 1 ms, then goes on) */
	REG32(SFC_CTL) = ctl | 0x0Cu; /* trigger */
	for (i = 0; i < 1000000 && !(REG32(SFC_CTL) & 0x02u); i++)
		;
	for (i = 0; i < 1000000 && (REG32(SFC_CTL) & 0x01u); i++)
		;
	REG32(SFC_CTL) &= ~0x1Cu;
	for (i = 0; i < rxlen; i++)
		rx[i] = REG8(SFC_BUF + txlen + i);
}

void probe_main(void)
{
	struct rom_usbio *io;
	uint8_t buf[132];

	REG16(WDT_MODE) = 0x2200; /* watchdog off */
	io = find_usbio();
	if (!io)
		for (;;)
			;
	io->send32(0x50524F42, 1);
	for (;;) {
		int c = io->recv8() & 0xFF;
		uint32_t addr, n;

		io->send8(c, 1);
		switch (c) {
		case 'I':
			buf[0] = 0x9F;
			sfc_xfer(buf, 1, buf + 4, 3);
			io->send_buf(buf + 4, 3, 0);
			break;
		case 'R':
			addr = (uint32_t)io->recv32();
			n = (uint32_t)io->recv32();
			if (n > 128)
				n = 128;
			buf[0] = 0x03;
			buf[1] = (uint8_t)(addr >> 16);
			buf[2] = (uint8_t)(addr >> 8);
			buf[3] = (uint8_t)addr;
			sfc_xfer(buf, 4, buf + 4, n);
			io->send_buf(buf + 4, (int)n, 0);
			break;
		case 'M':
			addr = (uint32_t)io->recv32();
			n = (uint32_t)io->recv32();
			if (n > 4096)
				n = 4096;
			REG32(REMAP) = (REG32(REMAP) & ~3u) | 2u;
			io->send_buf((const void *)(addr & 0x00FFFFFFu), (int)n, 0);
			break;
		case 'Z':
			REG32(WDT_SWRST) = 0x1209;
			for (;;)
				;
		default:
			break;
		}
	}
}
