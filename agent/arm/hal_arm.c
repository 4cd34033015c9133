/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The agent's hardware layer on the watch (MT6250/MT6260/MT6261, ARM7EJ-S, Thumb).
 *
 * Host link: the boot ROM's own I/O driver (USB or UART, whichever the ROM handshook on),
 * found by scanning the ROM (core/brom_scan.c) for its usbio table and, through send_buf,
 * the live driver table in SRAM: read(buf, len, timeout) / write(buf, len, timeout) /
 * flush(). We call write without flushing so a READ packet leaves in full 64-byte USB
 * packets; the core flushes once per reply.
 *
 * Flash: reads through the memory-mapped window after the remap register is 2 (flash at 0,
 * doc/brom-protocol.md section 4.3); JEDEC ID and SFDP through the serial flash controller's
 * PIO mode (section 4.4). The watchdog is kicked while the agent runs (the host arms it before
 * D5 as a dead man's switch); a watchdog reset at the end (section 4.2). */
#include <stdint.h>

#include "../agent_hal.h"
#include "../core/brom_scan.h"
#include "mtkbak/agent_wire.h"

#define BROM_BASE   0xFFF00000u
#define BROM_WINDOW 0x10000u

#define WDT_RESTART   0xA0030008u
#define WDT_KICK      0x1971u
#define WDT_SWRST     0xA003001Cu
#define WDT_SWRST_KEY 0x1209u

#define REMAP_REG	 0xA0510000u
#define REMAP_MASK	 3u
#define REMAP_FLASH_AT_0 2u
#define FLASH_WINDOW	 0x00000000u

#define SFC_BASE       0xA0140000u
#define SFC_CTL	       (SFC_BASE + 0x00u) /* b0 busy, b1 done, b2 trigger, b3 enable, b4 quad */
#define SFC_CTL1       (SFC_BASE + 0x08u) /* b8 bus idle */
#define SFC_WCOUNT     (SFC_BASE + 0x10u)
#define SFC_RCOUNT     (SFC_BASE + 0x14u)
#define SFC_BUF	       (SFC_BASE + 0x800u)
#define SFC_CTL_BUSY   0x01u
#define SFC_CTL_DONE   0x02u
#define SFC_CTL_GO     0x0Cu /* trigger | enable */
#define SFC_CTL_QUAD   0x10u
#define SFC_CTL1_IDLE  0x100u
#define SFC_TX_MAX     (4u + AGENT_SPI_CHUNK) /* opcode, address, one program piece */
#define SFC_POLL_LIMIT 0x200000u /* far above any real transaction (~1 ms per the ROM) */

typedef int (*rom_io_fn)(uint8_t *buf, uint32_t len, uint32_t timeout);
typedef void (*rom_flush_fn)(void);

struct arm_hal {
	volatile uint32_t *vt; /* the ROM's live I/O driver table */
	uint32_t flash_base;
	uint32_t me_id; /* the ROM's ME ID buffer, 0 if unknown */
};

void agent_arm_main(uint32_t load_addr);

static uint32_t rd32(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void wr32(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static uint16_t rd16(uint32_t addr)
{
	return *(volatile uint16_t *)addr;
}

static void wr16(uint32_t addr, uint16_t v)
{
	*(volatile uint16_t *)addr = v;
}

static int is_rom_thumb(uint32_t fn)
{
	return (fn & 1u) && fn - BROM_BASE < BROM_WINDOW;
}

static int hal_recv(void *ctx, uint8_t *buf, uint32_t len)
{
	struct arm_hal *h = ctx;
	rom_io_fn rd = (rom_io_fn)h->vt[AGENT_IOVT_READ / 4u];

	rd(buf, len, 0xFFFFFFFFu); /* blocks until len bytes came in */
	return 0;
}

static int hal_send(void *ctx, const uint8_t *buf, uint32_t len)
{
	struct arm_hal *h = ctx;
	rom_io_fn wr = (rom_io_fn)h->vt[AGENT_IOVT_WRITE / 4u];

	wr((uint8_t *)(uintptr_t)buf, len, 0xFFFFFFFFu);
	return 0;
}

static void hal_flush(void *ctx)
{
	struct arm_hal *h = ctx;
	uint32_t fn = h->vt[AGENT_IOVT_FLUSH / 4u];

	if (fn) /* the UART driver has none */
		((rom_flush_fn)fn)();
}

static int sfc_wait(uint32_t reg, uint32_t mask, uint32_t want)
{
	for (uint32_t i = 0; i < SFC_POLL_LIMIT; i++)
		if ((rd32(reg) & mask) == want)
			return 0;
	return -1;
}

/* One PIO transaction: tx bytes go into the SFC buffer (packed little-endian words), the
 * controller clocks them out and then clocks rxlen bytes in behind them. */
static int hal_spi(void *ctx, const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	uint32_t w = 0, ctl;
	int ret = 0;

	(void)ctx;
	if (txlen == 0 || txlen > SFC_TX_MAX || rxlen > AGENT_SPI_CHUNK ||
	    txlen + rxlen > AGENT_SFC_BUF)
		return -1;
	for (uint32_t i = 0; i < txlen; i++) {
		w |= (uint32_t)tx[i] << (8u * (i & 3u));
		if ((i & 3u) == 3u || i == txlen - 1u) {
			wr32(SFC_BUF + (i & ~3u), w);
			w = 0;
		}
	}
	wr32(SFC_WCOUNT, txlen);
	wr32(SFC_RCOUNT, rxlen);
	if (sfc_wait(SFC_CTL1, SFC_CTL1_IDLE, SFC_CTL1_IDLE))
		return -1;
	ctl = (rd32(SFC_CTL) | SFC_CTL_GO) & ~SFC_CTL_QUAD;
	wr32(SFC_CTL, ctl);
	if (sfc_wait(SFC_CTL, SFC_CTL_DONE, SFC_CTL_DONE) || sfc_wait(SFC_CTL, SFC_CTL_BUSY, 0))
		ret = -1;
	wr32(SFC_CTL, rd32(SFC_CTL) & ~(SFC_CTL_GO | SFC_CTL_QUAD));
	if (ret)
		return ret;
	for (uint32_t i = 0; i < rxlen; i++) {
		uint32_t at = txlen + i;

		rx[i] = (uint8_t)(rd32(SFC_BUF + (at & ~3u)) >> (8u * (at & 3u)));
	}
	return 0;
}

/* The compressed READ reads the flash straight through the window (off + len is inside the
 * 16 MiB window: the agent checked the range). */
static int hal_flash_map(void *ctx, uint32_t off, uint32_t len, const uint8_t **p)
{
	struct arm_hal *h = ctx;

	(void)len;
	*p = (const uint8_t *)(uintptr_t)(h->flash_base + off);
	return 0;
}

static int hal_flash_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	struct arm_hal *h = ctx;
	uint32_t src = h->flash_base + off;

	if (((src | (uint32_t)(uintptr_t)buf | len) & 3u) == 0) {
		for (uint32_t i = 0; i < len; i += 4u)
			*(uint32_t *)(void *)(buf + i) = rd32(src + i);
		return 0;
	}
	for (uint32_t i = 0; i < len; i++)
		buf[i] = *(volatile const uint8_t *)(src + i);
	return 0;
}

static uint32_t hal_read32(void *ctx, uint32_t addr)
{
	(void)ctx;
	return rd32(addr);
}

static void hal_write32(void *ctx, uint32_t addr, uint32_t value)
{
	(void)ctx;
	wr32(addr, value);
}

static uint16_t hal_read16(void *ctx, uint32_t addr)
{
	(void)ctx;
	return rd16(addr);
}

static void hal_write16(void *ctx, uint32_t addr, uint16_t value)
{
	(void)ctx;
	wr16(addr, value);
}

static int hal_me_id(void *ctx, uint8_t out[16])
{
	struct arm_hal *h = ctx;

	if (!h->me_id)
		return -1;
	for (uint32_t i = 0; i < 16u; i++)
		out[i] = *(volatile const uint8_t *)(h->me_id + i);
	return 0;
}

static void watchdog_reset(void)
{
	wr32(WDT_SWRST, WDT_SWRST_KEY);
	for (;;) {
	}
}

static void hal_reset(void *ctx)
{
	(void)ctx;
	watchdog_reset();
}

/* The host armed the watchdog before D5 (a dead agent resets the watch into the boot ROM);
 * kicking it keeps a working agent alive. Without the host's arming it stays off. */
static void hal_wdt_kick(void *ctx)
{
	(void)ctx;
	wr16(WDT_RESTART, WDT_KICK);
}

void agent_arm_main(uint32_t load_addr)
{
	struct agent_brom_io io;
	struct arm_hal h;
	struct agent_hal hal;
	uint32_t remap;

	(void)load_addr;
	hal_wdt_kick(0); /* the count starts again; the agent kicks it while it runs */

	if (agent_brom_scan((const uint8_t *)BROM_BASE, BROM_BASE, BROM_WINDOW, &io) !=
	    AGENT_SCAN_OK)
		watchdog_reset(); /* no way to talk: the host sees no hello and says so */
	h.vt = (volatile uint32_t *)io.io_vtable;
	if (!is_rom_thumb(h.vt[AGENT_IOVT_READ / 4u]) || !is_rom_thumb(h.vt[AGENT_IOVT_WRITE / 4u]))
		watchdog_reset();

	remap = rd32(REMAP_REG);
	if ((remap & REMAP_MASK) != REMAP_FLASH_AT_0)
		wr32(REMAP_REG, (remap & ~REMAP_MASK) | REMAP_FLASH_AT_0);
	h.flash_base = FLASH_WINDOW;
	h.me_id = io.me_id;

	hal.ctx = &h;
	hal.recv = hal_recv;
	hal.send = hal_send;
	hal.flush = hal_flush;
	hal.spi = hal_spi;
	hal.flash_read = hal_flash_read;
	hal.flash_map = hal_flash_map;
	hal.read32 = hal_read32;
	hal.write32 = hal_write32;
	hal.read16 = hal_read16;
	hal.write16 = hal_write16;
	hal.reset = hal_reset;
	hal.me_id = hal_me_id;
	hal.wdt_kick = hal_wdt_kick;
	agent_main(&hal);
	watchdog_reset();
}
