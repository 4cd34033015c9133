/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The memory map the boot ROM's read/write commands see (doc/brom-protocol.md sections 4.1-4.5).
 * Register reset values and read-back quirks are the ones the real MT6261 shows in
 * ../shared/corpus/captures/mt6261-spflashtool.pcap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#include "mtkbak/clock.h"

#define BANK_SIZE	0x10000000u
#define BROM_BASE	0xFFF00000u
#define ID_BASE		0x80000000u
#define REG_REMAP	0xA0510000u
#define REG_WDT_MODE	0xA0030000u
#define REG_WDT_LENGTH	0xA0030004u
#define REG_WDT_RESTART 0xA0030008u
#define WDT_LENGTH_KEY	0x08u
#define PMU_BASE	0xA0700000u
#define PMU_SIZE	0x1000u
#define REG_WDT_SWRST	0xA003001Cu
#define REG_RTC_BBPU	0xA0710000u
#define REG_RTC_WRTGR	0xA0710074u
#define WDT_KEY		0x22u
#define WDT_ENABLE	0x01u
#define BBPU_KEY	0x43u

/* The chip's identity as the boot ROM shows it. */
struct sim_chip_id {
	uint16_t hw_code, hw_ver, sw_ver, subcode;
	uint32_t efuse_swver; /* 0xA01C0108 */
};

static const struct sim_chip_id sim_chip_ids[] = {
    {0x6261, 0xCB01, 0x0001, 0x8000, 0x35C00000u},
    /* MT6260DA as reported in mediatek_flash#4; its efuse word is not known */
    {0x6260, 0xCB00, 0x0000, 0x8000, 0x00000000u},
    /* MT6250: never observed; hw code as its ROM's family suggests, the rest assumed */
    {0x6250, 0xCA00, 0x0000, 0x8000, 0x00000000u},
};

/* Registers with a non-zero reset value or a read-back quirk. */
struct sim_reg_reset {
	uint32_t addr, value;
	uint32_t set_on_write; /* bits that read back set once the register was written */
};

static const struct sim_reg_reset sim_reg_resets[] = {
    {REG_WDT_MODE, WDT_ENABLE, 0}, /* the boot ROM runs with the watchdog armed */
    {0xA0700A00u, 0xF262, 0},	   {0xA0700A08u, 0x000F, 0},
    {0xA0700A14u, 0x6101, 0x0008}, /* writes 6001, reads 6009 in the capture */
    {0xA0700A24u, 0x0010, 0},	   {0xA0700A28u, 0x0010, 0},
    {REG_RTC_BBPU, 0x0005, 0},	   {0xA0710050u, 0xFF5F, 0}, /* RTC POWERKEY1 */
    {0xA0710054u, 0xFDDE, 0},				     /* RTC POWERKEY2 */
};

static const struct sim_chip_id *chip_id(const struct sim_watch *w)
{
	for (size_t i = 0; i < sizeof(sim_chip_ids) / sizeof(sim_chip_ids[0]); i++)
		if (sim_chip_ids[i].hw_code == w->o.hw_code)
			return &sim_chip_ids[i];
	return &sim_chip_ids[0];
}

uint8_t sim_flash_byte(const struct sim_watch *w, uint32_t off)
{
	/* The controller sends 24 address bits; a NOR ignores the bits above its size and
	 * aliases (past_end=wrap), or, as some parts might, returns 0xFF (past_end=ff). */
	off &= 0xFFFFFFu;
	if (w->o.past_end_ff && off >= w->flash_len)
		return 0xFF;
	return sim_nor_window(w)[off & (uint32_t)(w->flash_len - 1)];
}

void sim_flash_read(const struct sim_watch *w, uint32_t off, uint8_t *buf, uint32_t len)
{
	while (len) {
		uint32_t o = off & 0xFFFFFFu, run;

		if (o >= w->flash_len) {
			run = 0x1000000u - o;
			if (run > len)
				run = len;
			if (w->o.past_end_ff)
				memset(buf, 0xFF, run);
			else
				for (uint32_t i = 0; i < run; i++)
					buf[i] = sim_flash_byte(w, o + i);
		} else {
			run = (uint32_t)w->flash_len - o;
			if (run > len)
				run = len;
			memcpy(buf, sim_nor_window(w) + o, run);
		}
		buf += run;
		off += run;
		len -= run;
	}
}

int sim_rom_load(struct sim_watch *w)
{
	FILE *f;
	long n;

	if (!w->o.rom_path[0])
		return 0;
	f = fopen(w->o.rom_path, "rb");
	if (!f)
		return -1;
	w->rom = malloc(SIM_ROM_MAX);
	n = w->rom ? (long)fread(w->rom, 1, SIM_ROM_MAX, f) : 0;
	fclose(f);
	if (n <= 0) {
		free(w->rom);
		w->rom = NULL;
		return -1;
	}
	w->rom_len = (size_t)n;
	return 0;
}

void sim_mem_reset(struct sim_watch *w)
{
	struct sim_dev *d = &w->dev;

	free(d->mem.psram);
	memset(&d->mem, 0, sizeof(d->mem));
	memset(d->loads, 0, sizeof(d->loads));
	d->nloads = 0;
	d->agent_reset = false;
	d->wdt_deadline_ns = -1;
	d->wdt_length_ms = 0;
	d->agent_sent = 0;
}

void sim_mem_free(struct sim_watch *w)
{
	free(w->dev.mem.psram);
	w->dev.mem.psram = NULL;
}

enum area { AREA_REG, AREA_FLASH, AREA_RAM, AREA_BOOTCODE, AREA_SRAM };

/* 0xA0510000 selects what the two 256 MiB banks at 0 and 0x10000000 show:
 * 2 = flash at 0, RAM at 0x10000000; 3 = RAM at 0, flash at 0x10000000;
 * 0/1 (boot) = boot code at 0, RAM at 0x10000000. */
static enum area area_of(const struct sim_watch *w, uint32_t a)
{
	uint32_t remap = w->dev.mem.remap & 3;

	if (a < BANK_SIZE) {
		if (remap == 2)
			return AREA_FLASH;
		return remap == 3 ? AREA_RAM : AREA_BOOTCODE;
	}
	if (a < 2 * BANK_SIZE)
		return remap == 3 ? AREA_FLASH : AREA_RAM;
	if (a - SIM_SRAM_BASE < SIM_SRAM_SIZE)
		return AREA_SRAM;
	if (a >= BROM_BASE)
		return AREA_BOOTCODE;
	return AREA_REG;
}

static uint32_t reg_read(const struct sim_watch *w, uint32_t a)
{
	const struct sim_mem *m = &w->dev.mem;
	const struct sim_chip_id *id = chip_id(w);

	switch (a) {
	case ID_BASE:
		return id->hw_ver;
	case ID_BASE + 4:
		return id->sw_ver;
	case ID_BASE + 8:
		return id->hw_code;
	case ID_BASE + 12:
		return id->subcode;
	case 0xA01C0108u:
		return w->o.efuse_set ? w->o.efuse_swver : id->efuse_swver;
	case REG_REMAP:
		return m->remap;
	default:
		break;
	}
	for (size_t i = 0; i < m->nregs; i++)
		if (m->regs[i].addr == a)
			return m->regs[i].value;
	for (size_t i = 0; i < sizeof(sim_reg_resets) / sizeof(sim_reg_resets[0]); i++)
		if (sim_reg_resets[i].addr == a)
			return sim_reg_resets[i].value;
	return 0;
}

bool sim_mem_reg_known(struct sim_watch *w, uint32_t a)
{
	const struct sim_mem *m = &w->dev.mem;

	if ((a >= ID_BASE && a < ID_BASE + 16) || a == 0xA01C0108u || a == REG_REMAP ||
	    a == REG_WDT_MODE || a == REG_WDT_RESTART || a == REG_WDT_SWRST || a == REG_RTC_BBPU ||
	    a == REG_RTC_WRTGR)
		return true;
	for (size_t i = 0; i < sizeof(sim_reg_resets) / sizeof(sim_reg_resets[0]); i++)
		if (sim_reg_resets[i].addr == a)
			return true;
	for (size_t i = 0; i < m->nregs; i++)
		if (m->regs[i].addr == a)
			return true;
	return false;
}

static void reg_store(struct sim_watch *w, uint32_t a, uint32_t v)
{
	struct sim_mem *m = &w->dev.mem;

	for (size_t i = 0; i < m->nregs; i++) {
		if (m->regs[i].addr == a) {
			m->regs[i].value = v;
			return;
		}
	}
	if (m->nregs < SIM_MAX_REGS) /* beyond that, writes to yet more registers are lost */
		m->regs[m->nregs++] = (struct sim_reg){a, v};
}

static void wdt_arm(struct sim_watch *w, bool enabled)
{
	/* wdt=MS wins; else the LENGTH register once the host wrote it (the boot ROM never
	 * does); else the watchdog's timing is not modelled */
	int ms = w->o.wdt_ms > 0 ? w->o.wdt_ms : w->dev.wdt_length_ms;

	if (enabled && ms > 0)
		w->dev.wdt_deadline_ns = mtk_now_ns() + (int64_t)ms * 1000000ll;
	else
		w->dev.wdt_deadline_ns = -1;
}

/* The PMU range's writes are kept across resets for the tests (sim_pmu_writes). */
static void pmu_record(struct sim_watch *w, uint32_t a, uint32_t v, unsigned width)
{
	if (a - PMU_BASE >= PMU_SIZE)
		return;
	pthread_mutex_lock(&w->mu);
	if (w->npmu < SIM_PMU_LOG_MAX)
		w->pmu_log[w->npmu] = (struct sim_reg_write){a, v, width};
	if (w->npmu < SIZE_MAX)
		w->npmu++;
	pthread_mutex_unlock(&w->mu);
}

size_t sim_pmu_writes(const struct sim_watch *cw, struct sim_reg_write *out, size_t max)
{
	struct sim_watch *w = (struct sim_watch *)cw; /* locking needs a mutable handle */
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->npmu;
	for (size_t i = 0; out && i < max && i < n && i < SIM_PMU_LOG_MAX; i++)
		out[i] = w->pmu_log[i];
	pthread_mutex_unlock(&w->mu);
	return n;
}

void sim_mem_wdt_handshaken(struct sim_watch *w)
{
	wdt_arm(w, reg_read(w, REG_WDT_MODE) & WDT_ENABLE);
}

/* A write of `v` under `mask` to the register word at a (4-aligned). */
static void reg_write(struct sim_watch *w, uint32_t a, uint32_t v, uint32_t mask)
{
	struct sim_mem *m = &w->dev.mem;
	uint32_t nv = (reg_read(w, a) & ~mask) | (v & mask);

	if (a >= ID_BASE && a < ID_BASE + 16)
		return; /* read-only ID block */
	switch (a) {
	case REG_REMAP:
		m->remap = nv;
		return;
	case REG_WDT_MODE:
		if (((nv >> 8) & 0xFF) != WDT_KEY)
			return; /* the watchdog ignores writes without its key */
		reg_store(w, a, nv & 0xFF);
		wdt_arm(w, nv & WDT_ENABLE);
		return;
	case REG_WDT_LENGTH:
		if ((nv & 0x1Fu) != WDT_LENGTH_KEY)
			return; /* no key: ignored */
		/* timeout in bits 15:5, units of 512 ticks of the 32768 Hz clock */
		w->dev.wdt_length_ms = (int)(((nv >> 5) & 0x7FFu) * 1000u / 64u);
		reg_store(w, a, nv & 0xFFE0u);
		return;
	case REG_WDT_RESTART:
		if ((nv & 0xFFFF) == 0x1971 && (reg_read(w, REG_WDT_MODE) & WDT_ENABLE))
			wdt_arm(w, true);
		return;
	case REG_WDT_SWRST:
		if ((nv & 0xFFFF) == 0x1209)
			m->reset_req = true; /* software reset: the chip restarts at once */
		return;
	case REG_RTC_BBPU:
		if (((nv >> 8) & 0xFF) == BBPU_KEY) {
			m->bbpu_pending = nv & 0xFF;
			m->bbpu_pending_valid = true;
		}
		return;
	case SIM_REG_MBIST_CTRL:
		/* The vendor tool writes 0, the config, the pattern with the low bits clear,
		 * then the same with 0x325 to start; the test finishes at once here. */
		reg_store(w, a, nv);
		if (nv & 0xFFFu)
			reg_store(w, SIM_REG_MBIST_STATUS,
				  w->o.mbist_fail ? SIM_MBIST_FAILED : SIM_MBIST_PASSED);
		else
			reg_store(w, SIM_REG_MBIST_STATUS, 0);
		return;
	case SIM_REG_MBIST_STATUS:
		return; /* read-only */
	case REG_RTC_WRTGR:
		if ((nv & 1) && m->bbpu_pending_valid) {
			reg_store(w, REG_RTC_BBPU, m->bbpu_pending);
			m->bbpu_pending_valid = false;
		}
		reg_store(w, a, 0); /* the write trigger clears itself */
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(sim_reg_resets) / sizeof(sim_reg_resets[0]); i++)
		if (sim_reg_resets[i].addr == a)
			nv |= sim_reg_resets[i].set_on_write;
	reg_store(w, a, nv);
}

static uint8_t *ram_byte(struct sim_watch *w, uint32_t a, bool for_write)
{
	struct sim_mem *m = &w->dev.mem;

	if (!m->psram) {
		if (!for_write)
			return NULL;
		m->psram = calloc(1, SIM_PSRAM_SIZE);
		if (!m->psram)
			return NULL;
	}
	return &m->psram[(a % BANK_SIZE) & (SIM_PSRAM_SIZE - 1)];
}

static uint8_t mem_byte(struct sim_watch *w, enum area ar, uint32_t a)
{
	switch (ar) {
	case AREA_FLASH:
		return sim_flash_byte(w, a % BANK_SIZE);
	case AREA_RAM: {
		uint8_t *p = ram_byte(w, a, false);
		return p ? *p : 0;
	}
	case AREA_SRAM:
		return w->dev.mem.sram[a - SIM_SRAM_BASE];
	case AREA_BOOTCODE:
		/* the ROM's 64 KiB window, mirrored up to 0xFFFFFFFF: the dump's bytes with
		 * rom=PATH, zeros without one (and at address 0 in boot mode) */
		if (a >= BROM_BASE && w->rom && ((a - BROM_BASE) & 0xFFFFu) < w->rom_len)
			return w->rom[(a - BROM_BASE) & 0xFFFFu];
		return 0;
	default:
		return 0;
	}
}

uint8_t sim_mem_read8(struct sim_watch *w, uint32_t a)
{
	enum area ar = area_of(w, a);

	if (ar != AREA_REG)
		return mem_byte(w, ar, a);
	return (uint8_t)(reg_read(w, a & ~3u) >> (8 * (a & 3)));
}

uint16_t sim_mem_read16(struct sim_watch *w, uint32_t a)
{
	enum area ar = area_of(w, a);

	if (ar != AREA_REG)
		return (uint16_t)(mem_byte(w, ar, a) | mem_byte(w, ar, a + 1) << 8);
	return (uint16_t)(reg_read(w, a & ~3u) >> (8 * (a & 2)));
}

uint32_t sim_mem_read32(struct sim_watch *w, uint32_t a)
{
	enum area ar = area_of(w, a);

	if (ar != AREA_REG)
		return (uint32_t)mem_byte(w, ar, a) | (uint32_t)mem_byte(w, ar, a + 1) << 8 |
		       (uint32_t)mem_byte(w, ar, a + 2) << 16 |
		       (uint32_t)mem_byte(w, ar, a + 3) << 24;
	return reg_read(w, a & ~3u);
}

void sim_mem_write8(struct sim_watch *w, uint32_t a, uint8_t v)
{
	enum area ar = area_of(w, a);
	uint8_t *p;

	switch (ar) {
	case AREA_SRAM:
		w->dev.mem.sram[a - SIM_SRAM_BASE] = v;
		break;
	case AREA_RAM:
		p = ram_byte(w, a, true);
		if (p)
			*p = v;
		break;
	case AREA_REG:
		reg_write(w, a & ~3u, (uint32_t)v << (8 * (a & 3)), 0xFFu << (8 * (a & 3)));
		break;
	case AREA_FLASH:
		/* the XIP window is read-only; a write is logged (nor_log) and dropped */
		sim_norlog_op(w, SIM_NORLOG_WINDOW, a % BANK_SIZE, 1);
		break;
	default:
		break; /* the boot ROM is read-only */
	}
}

void sim_mem_write16(struct sim_watch *w, uint32_t a, uint16_t v)
{
	if (area_of(w, a) == AREA_REG) {
		pmu_record(w, a, v, 16);
		reg_write(w, a & ~3u, (uint32_t)v << (8 * (a & 2)), 0xFFFFu << (8 * (a & 2)));
		return;
	}
	if (area_of(w, a) == AREA_FLASH) {
		sim_norlog_op(w, SIM_NORLOG_WINDOW, a % BANK_SIZE, 2);
		return;
	}
	sim_mem_write8(w, a, (uint8_t)v);
	sim_mem_write8(w, a + 1, (uint8_t)(v >> 8));
}

void sim_mem_write32(struct sim_watch *w, uint32_t a, uint32_t v)
{
	if (area_of(w, a) == AREA_REG) {
		pmu_record(w, a, v, 32);
		reg_write(w, a & ~3u, v, 0xFFFFFFFFu);
		return;
	}
	if (area_of(w, a) == AREA_FLASH) {
		sim_norlog_op(w, SIM_NORLOG_WINDOW, a % BANK_SIZE, 4);
		return;
	}
	for (int i = 0; i < 4; i++)
		sim_mem_write8(w, a + (uint32_t)i, (uint8_t)(v >> (8 * i)));
}
