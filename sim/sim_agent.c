/* SPDX-License-Identifier: GPL-3.0-or-later */
/* After D5 to mtkbak's own agent, the simulated watch runs the agent's protocol logic (the
 * same C source as on the watch) on a simulated hardware layer: the USB pipe, a serial NOR
 * flash and the memory map. */
#include <string.h>

#include "agent_hal.h"
#include "mtkbak/agent_wire.h"
#include "sim_internal.h"

#include "mtkbak/byteorder.h"

extern const uint8_t mtkbak_agent_blob[];
extern const size_t mtkbak_agent_blob_len;

bool sim_agent_matches(struct sim_watch *w, uint32_t addr, uint32_t len)
{
	if (mtkbak_agent_blob_len == 0 || len < mtkbak_agent_blob_len)
		return false;
	for (size_t i = 0; i < mtkbak_agent_blob_len; i++)
		if (sim_mem_read8(w, addr + (uint32_t)i) != mtkbak_agent_blob[i])
			return false;
	return true;
}

/* ---- serial NOR model ---- */

static void jedec_id(const struct sim_watch *w, uint8_t id[3])
{
	if (w->o.jedec_set) {
		memcpy(id, w->o.jedec, 3);
		return;
	}
	/* GigaDevice-style: C8 40 <log2 size> */
	id[0] = 0xC8;
	id[1] = 0x40;
	id[2] = 0;
	for (size_t s = w->flash_len; s > 1; s >>= 1)
		id[2]++;
}

void sim_sfdp_table(const struct sim_watch *w, uint8_t out[256])
{
	/* JESD216: SFDP header, one parameter header, the 16-dword basic flash parameter table */
	static const uint32_t bfpt[16] = {0xFFF920E5u, 0,	    0x6B08EB44u,
					  0xBB423B08u, 0xFFFFFFEEu, 0xFF00FFFFu,
					  0xFF00FFFFu, 0x520F200Cu, 0xFF00D810u};

	memset(out, 0xFF, 256);
	memcpy(out, "SFDP", 4);
	out[4] = 0x06; /* minor revision */
	out[5] = 0x01; /* major revision */
	out[6] = 0x00; /* number of parameter headers - 1 */
	out[7] = 0xFF;
	out[8] = 0x00;	/* BFPT id LSB */
	out[9] = 0x06;	/* minor */
	out[10] = 0x01; /* major */
	out[11] = 16;	/* length in dwords */
	out[12] = 0x30; /* table pointer (24 bit) */
	out[13] = 0x00;
	out[14] = 0x00;
	out[15] = 0xFF; /* id MSB */
	for (int i = 0; i < 16; i++)
		mtk_put_le32(out + 0x30 + 4 * i, bfpt[i]);
	/* dword 2: density in bits - 1 */
	mtk_put_le32(out + 0x34, (uint32_t)(w->flash_len * 8 - 1));
}

int sim_nor_spi(struct sim_watch *w, const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	uint32_t addr;

	if (rxlen)
		memset(rx, 0xFF, rxlen);
	if (!txlen)
		return -1;
	switch (tx[0]) {
	case 0x9F: { /* JEDEC ID */
		uint8_t id[3];

		jedec_id(w, id);
		for (uint32_t i = 0; i < rxlen && i < 3; i++)
			rx[i] = id[i];
		return 0;
	}
	case 0x05: /* status registers (sim_nor.c) */
	case 0x35:
	case 0x15:
		return sim_nor_status(w, tx[0], rx, rxlen);
	case 0x03: /* read */
	case 0x0B: /* fast read (one dummy byte) */
		if (txlen < (tx[0] == 0x03 ? 4u : 5u))
			return -1;
		addr = (uint32_t)tx[1] << 16 | (uint32_t)tx[2] << 8 | tx[3];
		for (uint32_t i = 0; i < rxlen; i++)
			rx[i] = sim_nor_array_byte(w, (addr + i) & 0xFFFFFF);
		return 0;
	case 0x5A: { /* SFDP (one dummy byte) */
		uint8_t sfdp[256];

		if (txlen < 5)
			return -1;
		sim_sfdp_table(w, sfdp);
		addr = (uint32_t)tx[1] << 16 | (uint32_t)tx[2] << 8 | tx[3];
		for (uint32_t i = 0; i < rxlen; i++)
			rx[i] = addr + i < sizeof(sfdp) ? sfdp[addr + i] : 0xFF;
		return 0;
	}
	default:
		/* write enable, status writes, program, erase (sim_nor.c) and anything unknown:
		 * counted and logged (nor_log=PATH) whether or not the part takes it */
		sim_norlog_spi(w, tx, txlen);
		return sim_nor_command(w, tx, txlen, rx, rxlen);
	}
}

/* ---- the agent's hardware layer ---- */

static int hal_recv(void *ctx, uint8_t *buf, uint32_t len)
{
	return sim_dev_recv(ctx, buf, len);
}

static int hal_send(void *ctx, const uint8_t *buf, uint32_t len)
{
	struct sim_watch *w = ctx;

	if (w->o.agent_die_at) {
		/* agent=die:N: after N bytes the agent stops for good; only the watchdog (if
		 * the host armed it) ends this boot */
		uint64_t left = w->o.agent_die_at > w->dev.agent_sent
				    ? w->o.agent_die_at - w->dev.agent_sent
				    : 0;

		if (len > left) {
			if (left && sim_dev_send(w, buf, (size_t)left) < 0)
				return -1;
			w->dev.agent_sent += left;
			sim_dev_idle(w);
			return -1;
		}
		w->dev.agent_sent += len;
	}
	if (w->o.agent_badstream && len >= 256) {
		/* agent=badstream: large sends (READ packet data) lose a bit each, small answers
		 * (statuses, CRC-32 results, READ32 words) do not */
		uint8_t bad[1024];

		while (len) {
			uint32_t n = len < sizeof(bad) ? len : (uint32_t)sizeof(bad);

			memcpy(bad, buf, n);
			bad[n / 2] ^= 0x10;
			if (sim_dev_send(w, bad, n) < 0)
				return -1;
			buf += n;
			len -= n;
		}
		return 0;
	}
	return sim_dev_send(w, buf, len);
}

static void hal_flush(void *ctx)
{
	sim_dev_flush(ctx); /* the ROM's flush: the partly filled packet goes out */
}

static int hal_spi(void *ctx, const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	struct sim_watch *w = ctx;

	/* spi=fail: the controller never leaves busy; sfc=slow:N: busy for N polls. The agent
	 * on the watch polls up to SIM_SFC_POLL_LIMIT times, then reports AGENT_ST_SPI. */
	if (w->o.spi_fail || w->o.sfc_slow_polls >= SIM_SFC_POLL_LIMIT)
		return -1;
	/* the controller's PIO buffer holds what goes out and what comes back */
	if (txlen == 0 || txlen + rxlen > AGENT_SFC_BUF)
		return -1;
	return sim_nor_spi(ctx, tx, txlen, rx, rxlen);
}

static void hal_wdt_kick(void *ctx)
{
	sim_mem_write16(ctx, 0xA0030008u, 0x1971); /* WDT RESTART, as agent/arm/hal_arm.c */
}

static int hal_flash_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	sim_flash_read(ctx, off, buf, len);
	return 0;
}

/* The flash image is in memory. A range across a small part's end, or past it when the part
 * answers 0xFF there (past_end=ff), is not mapped: the agent then reads it with flash_read. */
static int hal_flash_map(void *ctx, uint32_t off, uint32_t len, const uint8_t **p)
{
	const struct sim_watch *w = ctx;
	uint32_t o = off & ((uint32_t)w->flash_len - 1);

	if (len > w->flash_len - o || (w->o.past_end_ff && off >= w->flash_len))
		return -1;
	*p = w->flash + o;
	return 0;
}

static uint32_t hal_read32(void *ctx, uint32_t addr)
{
	return sim_mem_read32(ctx, addr);
}

static void hal_write32(void *ctx, uint32_t addr, uint32_t value)
{
	sim_mem_write32(ctx, addr, value);
}

static uint16_t hal_read16(void *ctx, uint32_t addr)
{
	return sim_mem_read16(ctx, addr);
}

static void hal_write16(void *ctx, uint32_t addr, uint16_t value)
{
	sim_mem_write16(ctx, addr, value);
}

/* The agent reads the ME ID from the boot ROM's SRAM buffer; the sim hands over its own. */
static int hal_me_id(void *ctx, uint8_t out[16])
{
	memcpy(out, ((struct sim_watch *)ctx)->me_id, 16);
	return 0;
}

static void hal_reset(void *ctx)
{
	struct sim_watch *w = ctx;

	w->dev.agent_reset = true; /* the watch reboots into a fresh boot ROM */
}

void sim_agent_run(struct sim_watch *w)
{
	const struct agent_hal hal = {
	    .ctx = w,
	    .recv = hal_recv,
	    .send = hal_send,
	    .flush = hal_flush,
	    .spi = hal_spi,
	    .flash_read = hal_flash_read,
	    .read32 = hal_read32,
	    .write32 = hal_write32,
	    .read16 = hal_read16,
	    .write16 = hal_write16,
	    .reset = hal_reset,
	    .me_id = hal_me_id,
	    .wdt_kick = hal_wdt_kick,
	    .flash_map = hal_flash_map,
	};

	if (w->o.agent_hang) {
		sim_dev_idle(w); /* agent=hang: it never says hello; only the watchdog helps */
		return;
	}
	agent_main(&hal);
	if (!w->dev.agent_reset)
		sim_dev_idle(w); /* the agent stopped without a reset: the watch hangs */
}
