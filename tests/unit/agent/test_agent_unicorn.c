/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shipped agent binary (src/da/agent/mtkbak-agent.bin, as embedded in mtkbak) running on
 * an emulated ARM926 (ARMv5TE, like the watch's ARM7EJ-S) under Unicorn, with the real MT6261
 * boot ROM mapped at 0xFFF00000. The agent finds the ROM's I/O table by itself; the ROM's USB
 * driver routines (found by the same scan, fernly's 0xFFF00B65/0xFFF00B7F/0xFFF01CB1) are
 * hooked to an in-memory link, and the host-side protocol code (src/da/da.c) talks to it.
 * The serial flash controller is modelled as the agent uses it (doc/brom-protocol.md
 * section 4.4), the flash is mapped at 0 (remap 2) and aliases through the 16 MiB window.
 *
 * libunicorn is loaded with dlopen, so the test builds without link flags and skips (77)
 * when the library, its header or the corpus is missing. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<unicorn/unicorn.h>)
#include <unicorn/unicorn.h>
#define HAVE_UNICORN_H 1
#endif
#endif

#include "core/brom_scan.h"
#include "mtkbak/crc32.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/clock.h"
#include "test_link.h"

/* LeakSanitizer: libunicorn 2.0.1 does not free the code bitmap it allocates when the guest
 * writes into a page that also holds translated code (tb_invalidate_phys_page_fast); the
 * agent's bss and stack follow its code, and PROGRAM's data reaches into that page. That is
 * the library's, not ours: LSan reads this list at start-up (without LSan it is unused). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libunicorn.so\n";
}

#ifdef HAVE_UNICORN_H

#define BROM_BASE  0xFFF00000u
#define SRAM_BASE  0x70000000u
#define SRAM_SIZE  0x10000u
#define PERI_BASE  0xA0000000u
#define PERI_SIZE  0x01000000u
#define CFG_BASE   0x80000000u
#define FLASH_SIZE (1u << 20) /* the part; mapped 16 times to fill the 16 MiB window */
#define SFC_OFF	   0x140000u
#define NREGS	   64

struct uc_api {
	void *lib;
	__typeof__(uc_open) *open;
	__typeof__(uc_close) *close;
	__typeof__(uc_ctl) *ctl;
	__typeof__(uc_strerror) *strerror;
	__typeof__(uc_reg_write) *reg_write;
	__typeof__(uc_reg_read) *reg_read;
	__typeof__(uc_mem_write) *mem_write;
	__typeof__(uc_mem_read) *mem_read;
	__typeof__(uc_mem_map) *mem_map;
	__typeof__(uc_mem_map_ptr) *mem_map_ptr;
	__typeof__(uc_mmio_map) *mmio_map;
	__typeof__(uc_hook_add) *hook_add;
	__typeof__(uc_emu_start) *emu_start;
	__typeof__(uc_emu_stop) *emu_stop;
};

struct emu {
	struct uc_api *api;
	uc_engine *uc;
	struct test_link *link;
	struct agent_brom_io io;
	uint8_t *rom;
	size_t rom_len;
	uint8_t *flash;
	uint32_t load_addr;
	/* SFC model */
	uint32_t sfc_ctl, sfc_wcount, sfc_rcount;
	uint8_t sfc_buf[256];
	unsigned sfc_transactions, model_errors;
	/* the serial NOR behind it: latch, busy polls, block protection */
	bool wel;
	unsigned busy_polls;
	uint8_t sr1;
	unsigned write_ops;  /* WREN/WRSR/program/erase transactions seen */
	unsigned programs;   /* page program transactions */
	uint32_t max_pp_len; /* the largest program piece (data bytes) */
	bool pp_crossed;     /* a piece crossed a 256-byte page */
	/* other registers */
	uint32_t reg_addr[NREGS], reg_val[NREGS];
	unsigned nregs;
	bool wdt_reset, wdt_off;
	unsigned wdt_kicks; /* RESTART 0x1971: the dead man's switch stays armed */
	/* the ROM USB driver's 64-byte packet buffer (for the short-packet rule) */
	uint64_t usb_pending; /* bytes written since the last short packet */
	unsigned usb_stall_risks;
	uint64_t instructions_hint;
	uint64_t
	    agent_code_bytes; /* bytes of agent code executed (Thumb: about 2 per instruction) */
	uc_err emu_ret;
	pthread_t thread;
	bool joined;
	bool stopped_by_link;
};

static struct uc_api *load_unicorn(void)
{
	static const char *names[] = {"libunicorn.so.2", "libunicorn.so"};
	struct uc_api *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	for (size_t i = 0; i < 2 && !a->lib; i++)
		a->lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!a->lib) {
		free(a);
		return NULL;
	}
#define SYM(field, name)                                                                           \
	do {                                                                                       \
		*(void **)(&a->field) = dlsym(a->lib, name);                                       \
		if (!a->field) {                                                                   \
			dlclose(a->lib);                                                           \
			free(a);                                                                   \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)
	SYM(open, "uc_open");
	SYM(close, "uc_close");
	SYM(ctl, "uc_ctl");
	SYM(strerror, "uc_strerror");
	SYM(reg_write, "uc_reg_write");
	SYM(reg_read, "uc_reg_read");
	SYM(mem_write, "uc_mem_write");
	SYM(mem_read, "uc_mem_read");
	SYM(mem_map, "uc_mem_map");
	SYM(mem_map_ptr, "uc_mem_map_ptr");
	SYM(mmio_map, "uc_mmio_map");
	SYM(hook_add, "uc_hook_add");
	SYM(emu_start, "uc_emu_start");
	SYM(emu_stop, "uc_emu_stop");
#undef SYM
	return a;
}

static uint32_t reg32(struct emu *e, int reg)
{
	uint32_t v = 0;

	e->api->reg_read(e->uc, reg, &v);
	return v;
}

static void set_reg32(struct emu *e, int reg, uint32_t v)
{
	e->api->reg_write(e->uc, reg, &v);
}

/* Returns from a hooked ROM routine: r0 = value, pc = lr (Thumb bit kept). */
static void rom_return(struct emu *e, uint32_t r0)
{
	set_reg32(e, UC_ARM_REG_R0, r0);
	set_reg32(e, UC_ARM_REG_PC, reg32(e, UC_ARM_REG_LR));
}

static void stop(struct emu *e)
{
	e->stopped_by_link = true;
	e->api->emu_stop(e->uc);
}

/* ---- hooked ROM USB driver: read(buf, len, timeout), write(buf, len, timeout), flush() ---- */

static void hook_usb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct emu *e = user;
	uint32_t buf = reg32(e, UC_ARM_REG_R0), len = reg32(e, UC_ARM_REG_R1);
	uint8_t tmp[4096];

	(void)uc;
	(void)size;
	if (address == (e->io.usb_read & ~1u)) {
		while (len) {
			uint32_t n = len < sizeof(tmp) ? len : (uint32_t)sizeof(tmp);

			if (test_link_dev_recv(e->link, tmp, n) < 0) {
				stop(e);
				return;
			}
			if (e->api->mem_write(e->uc, buf, tmp, n) != UC_ERR_OK)
				e->model_errors++;
			buf += n;
			len -= n;
		}
		rom_return(e, 0);
	} else if (address == (e->io.usb_write & ~1u)) {
		while (len) {
			uint32_t n = len < sizeof(tmp) ? len : (uint32_t)sizeof(tmp);

			if (e->api->mem_read(e->uc, buf, tmp, n) != UC_ERR_OK)
				e->model_errors++;
			if (test_link_dev_send(e->link, tmp, n) < 0) {
				stop(e);
				return;
			}
			e->usb_pending += n;
			buf += n;
			len -= n;
		}
		rom_return(e, 0);
	} else if (address == (e->io.usb_flush & ~1u)) {
		/* the ROM sends the partly filled packet; with none, nothing: a host read that
		 * waits for the end of a transfer would then hang */
		if (e->usb_pending % 64 == 0 && e->usb_pending)
			e->usb_stall_risks++;
		e->usb_pending = 0;
		test_link_dev_flush(e->link);
		rom_return(e, 0);
	}
}

/* ---- peripherals ---- */

static uint32_t *reg(struct emu *e, uint32_t addr)
{
	for (unsigned i = 0; i < e->nregs; i++)
		if (e->reg_addr[i] == addr)
			return &e->reg_val[i];
	if (e->nregs == NREGS) {
		e->model_errors++;
		return &e->reg_val[0];
	}
	e->reg_addr[e->nregs] = addr;
	e->reg_val[e->nregs] = 0;
	return &e->reg_val[e->nregs++];
}

static void sfdp_table(uint8_t out[256])
{
	uint32_t bits = FLASH_SIZE * 8u - 1u;

	memset(out, 0xFF, 256);
	memcpy(out, "SFDP\x06\x01\x00\xFF\x00\x06\x01\x10\x30\x00\x00\xFF", 16);
	out[0x34] = (uint8_t)bits;
	out[0x35] = (uint8_t)(bits >> 8);
	out[0x36] = (uint8_t)(bits >> 16);
	out[0x37] = (uint8_t)(bits >> 24);
}

/* W25Q-style NOR commands on e->flash (mapped at 0, so the window sees the result at once).
 * Returns false for an opcode it does not know. */
static bool nor_run(struct emu *e, uint32_t w, uint32_t r)
{
	uint8_t *b = e->sfc_buf, op = b[0];
	uint32_t a = w >= 4 ? ((uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) : 0;
	uint32_t size;

	if (op == 0x05 || op == 0x35) {
		uint8_t v =
		    op == 0x35 ? 0
			       : (uint8_t)(e->sr1 | (e->wel ? 2u : 0u) | (e->busy_polls ? 1u : 0u));

		if (op == 0x05 && e->busy_polls)
			e->busy_polls--;
		for (uint32_t i = 0; i < r; i++)
			b[w + i] = v;
		return true;
	}
	if (op == 0x03 && w == 4) {
		for (uint32_t i = 0; i < r; i++)
			b[w + i] = e->flash[(a + i) & (FLASH_SIZE - 1u)];
		return true;
	}
	if (op != 0x06 && op != 0x04 && op != 0x01 && op != 0x02 && op != 0x20 && op != 0x52 &&
	    op != 0xD8)
		return false;
	if (op != 0x04)
		e->write_ops++;
	if (e->busy_polls)
		return true; /* busy: ignored */
	if (op == 0x06 || op == 0x04) {
		e->wel = op == 0x06;
		return true;
	}
	if (!e->wel)
		return true; /* without the latch: ignored, like a real part */
	e->wel = false;
	if (op == 0x01 && w >= 2) {
		e->sr1 = b[1] & 0xFCu;
		e->busy_polls = 3;
	} else if (op == 0x02 && w > 4) {
		uint32_t n = w - 4, page = (a & (FLASH_SIZE - 1u)) & ~0xFFu;

		e->programs++;
		if (n > e->max_pp_len)
			e->max_pp_len = n;
		if ((a & 0xFFu) + n > 256u)
			e->pp_crossed = true;
		for (uint32_t i = 0; i < n; i++)
			e->flash[page + ((a + i) & 0xFFu)] &= b[4 + i];
		e->busy_polls = 2;
	} else if (op == 0x20 || op == 0x52 || op == 0xD8) {
		size = op == 0x20 ? 0x1000u : op == 0x52 ? 0x8000u : 0x10000u;
		if (!((e->sr1 >> 2) & 7u)) /* any BP bit: this model protects everything */
			memset(e->flash + ((a & (FLASH_SIZE - 1u)) & ~(size - 1u)), 0xFF, size);
		e->busy_polls = 20;
	}
	return true;
}

static void sfc_run(struct emu *e)
{
	uint32_t w = e->sfc_wcount, r = e->sfc_rcount;
	uint8_t *b = e->sfc_buf;

	e->sfc_transactions++;
	if (w == 0 || w + r > sizeof(e->sfc_buf)) {
		e->model_errors++;
		return;
	}
	if (b[0] == 0x9F && w == 1) {
		const uint8_t id[3] = {0xEF, 0x40, 0x14}; /* Winbond W25Q80: 1 MiB */

		for (uint32_t i = 0; i < r; i++)
			b[w + i] = i < 3 ? id[i] : 0xFF;
	} else if (b[0] == 0x5A && w == 5) {
		uint8_t t[256];
		uint32_t a = (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

		sfdp_table(t);
		for (uint32_t i = 0; i < r; i++)
			b[w + i] = a + i < 256 ? t[a + i] : 0xFF;
	} else if (nor_run(e, w, r)) {
		/* a NOR command (below) */
	} else {
		e->model_errors++; /* nothing else is ever sent */
	}
}

static uint64_t sfc_read(struct emu *e, uint32_t off, unsigned size)
{
	if (off >= 0x800 && off + size <= 0x800 + sizeof(e->sfc_buf)) {
		uint64_t v = 0;

		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)e->sfc_buf[off - 0x800 + i] << (8 * i);
		return v;
	}
	switch (off) {
	case 0x00:
		return e->sfc_ctl;
	case 0x08:
		return 0x100; /* bus idle */
	case 0x10:
		return e->sfc_wcount;
	case 0x14:
		return e->sfc_rcount;
	default:
		return 0;
	}
}

static void sfc_write(struct emu *e, uint32_t off, unsigned size, uint32_t v)
{
	if (off >= 0x800 && off + size <= 0x800 + sizeof(e->sfc_buf)) {
		for (unsigned i = 0; i < size; i++)
			e->sfc_buf[off - 0x800 + i] = (uint8_t)(v >> (8 * i));
		return;
	}
	switch (off) {
	case 0x00:
		if ((v & 0x04) && !(e->sfc_ctl & 0x04)) {
			if (v & 0x10)
				e->model_errors++; /* quad mode was not asked for */
			sfc_run(e);
			v |= 0x02; /* done, not busy */
		} else if (!(v & 0x04)) {
			v &= ~0x02u;
		}
		e->sfc_ctl = v & ~0x01u;
		break;
	case 0x10:
		e->sfc_wcount = v;
		break;
	case 0x14:
		e->sfc_rcount = v;
		break;
	default:
		break;
	}
}

static uint64_t peri_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct emu *e = user;
	uint32_t off = (uint32_t)offset;

	(void)uc;
	if (off >= SFC_OFF && off < SFC_OFF + 0x1000)
		return sfc_read(e, off - SFC_OFF, size);
	return *reg(e, PERI_BASE + off) & (size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu);
}

static void peri_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	struct emu *e = user;
	uint32_t off = (uint32_t)offset, v = (uint32_t)value;

	(void)uc;
	if (off >= SFC_OFF && off < SFC_OFF + 0x1000) {
		sfc_write(e, off - SFC_OFF, size, v);
		return;
	}
	if (PERI_BASE + off == 0xA003001Cu && (v & 0xFFFF) == 0x1209) {
		e->wdt_reset = true; /* software reset: the chip restarts */
		e->api->emu_stop(e->uc);
		return;
	}
	if (PERI_BASE + off == 0xA0030000u && v == 0x2200)
		e->wdt_off = true;
	if (PERI_BASE + off == 0xA0030008u && (v & 0xFFFF) == 0x1971)
		e->wdt_kicks++;
	*reg(e, PERI_BASE + off) = v;
}

static uint64_t cfg_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	static const uint16_t ids[4] = {0xCB01, 0x0001, 0x6261, 0x8000};

	(void)uc;
	(void)size;
	(void)user;
	return offset < 16 ? ids[offset / 4] : 0;
}

static void cfg_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	(void)uc;
	(void)offset;
	(void)size;
	(void)value;
	(void)user;
}

/* counts the agent's own code (the ROM's hooked USB routines are host code here) */
static void hook_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct emu *e = user;

	(void)uc;
	if (address >= e->load_addr && address < e->load_addr + 0x4000u)
		e->agent_code_bytes += size;
}

static void *emu_thread(void *arg)
{
	struct emu *e = arg;

	/* D5 jumps to the even load address: ARM state, like the boot ROM's call */
	e->emu_ret = e->api->emu_start(e->uc, e->load_addr, 0, 0, 0);
	return NULL;
}

static int emu_setup(struct emu *e, struct uc_api *api, uint32_t load_addr)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	uint8_t *window;
	uc_hook hh;
	uc_err err;
	uint8_t vt[20];

	memset(e, 0, sizeof(*e));
	e->api = api;
	e->load_addr = load_addr;
	snprintf(path, sizeof(path), "%s/brom/MT6261-bootrom.bin", corpus);
	assert_int_equal(read_whole_file(path, &e->rom, &e->rom_len, 1u << 20), 0);
	assert_int_equal(agent_brom_scan(e->rom, BROM_BASE, (uint32_t)e->rom_len, &e->io), 0);
	assert_true(e->io.usb_read && e->io.usb_write && e->io.usb_flush);

	e->flash = aligned_alloc(4096, FLASH_SIZE);
	assert_non_null(e->flash);
	for (uint32_t i = 0, x = 99; i < FLASH_SIZE; i++) {
		x = x * 1664525u + 1013904223u;
		e->flash[i] = (uint8_t)(x >> 24);
	}
	memcpy(e->flash, "SF_BOOT\0", 8);

	err = api->open(UC_ARCH_ARM, UC_MODE_ARM, &e->uc);
	assert_int_equal(err, UC_ERR_OK);
	err = api->ctl(e->uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), UC_CPU_ARM_926);
	assert_int_equal(err, UC_ERR_OK);

	/* boot ROM: the dump, then 0xFF up to the 64 KiB window the agent scans */
	window = malloc(0x10000);
	assert_non_null(window);
	memset(window, 0xFF, 0x10000);
	memcpy(window, e->rom, e->rom_len);
	assert_int_equal(api->mem_map(e->uc, BROM_BASE, 0x10000, UC_PROT_READ | UC_PROT_EXEC), 0);
	assert_int_equal(api->mem_write(e->uc, BROM_BASE, window, 0x10000), 0);
	free(window);

	assert_int_equal(api->mem_map(e->uc, SRAM_BASE, SRAM_SIZE, UC_PROT_ALL), 0);
	for (uint32_t a = 0; a < AGENT_FLASH_WINDOW; a += FLASH_SIZE)
		assert_int_equal(api->mem_map_ptr(e->uc, a, FLASH_SIZE, UC_PROT_READ, e->flash), 0);
	assert_int_equal(api->mmio_map(e->uc, PERI_BASE, PERI_SIZE, peri_read, e, peri_write, e),
			 0);
	assert_int_equal(api->mmio_map(e->uc, CFG_BASE, 0x1000, cfg_read, e, cfg_write, e), 0);

	/* what the ROM's "select USB" routine leaves in its SRAM I/O table */
	memset(vt, 0, sizeof(vt));
	vt[0] = 1;
	for (int i = 0; i < 4; i++) {
		uint32_t fn = i == 0 ? e->io.usb_read : i == 1 ? e->io.usb_write : e->io.usb_flush;

		vt[4 + 4 * i] = (uint8_t)fn;
		vt[5 + 4 * i] = (uint8_t)(fn >> 8);
		vt[6 + 4 * i] = (uint8_t)(fn >> 16);
		vt[7 + 4 * i] = (uint8_t)(fn >> 24);
	}
	assert_int_equal(api->mem_write(e->uc, e->io.io_vtable, vt, sizeof(vt)), 0);

	assert_int_equal(api->hook_add(e->uc, &hh, UC_HOOK_CODE, (void *)hook_usb, e,
				       e->io.usb_read & ~1u, e->io.usb_read & ~1u),
			 0);
	assert_int_equal(api->hook_add(e->uc, &hh, UC_HOOK_CODE, (void *)hook_usb, e,
				       e->io.usb_write & ~1u, e->io.usb_write & ~1u),
			 0);
	assert_int_equal(api->hook_add(e->uc, &hh, UC_HOOK_CODE, (void *)hook_usb, e,
				       e->io.usb_flush & ~1u, e->io.usb_flush & ~1u),
			 0);

	assert_int_equal(api->hook_add(e->uc, &hh, UC_HOOK_BLOCK, (void *)hook_block, e, 1, 0), 0);

	/* the ME ID the ROM copied to SRAM at boot (what its E1 sends) */
	assert_true(e->io.me_id != 0);
	assert_int_equal(api->mem_write(e->uc, e->io.me_id, "MT6261-ME-ID-16B", 16), 0);

	/* the agent, as D7 would store it */
	assert_int_equal(api->mem_write(e->uc, load_addr, mtkbak_agent_blob, mtkbak_agent_blob_len),
			 0);
	e->link = test_link_new(256 * 1024);
	assert_non_null(e->link);
	assert_int_equal(pthread_create(&e->thread, NULL, emu_thread, e), 0);
	return 0;
}

static void emu_join(struct emu *e)
{
	if (!e->joined)
		pthread_join(e->thread, NULL);
	e->joined = true;
}

static void emu_teardown(struct emu *e)
{
	test_link_shutdown(e->link);
	emu_join(e);
	e->api->close(e->uc);
	test_link_free(e->link);
	free(e->rom);
	free(e->flash);
}

struct cmp {
	const uint8_t *want;
	uint32_t next;
};

static int cmp_sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct cmp *c = ctx;

	if (off != c->next)
		return -EPROTO;
	for (size_t i = 0; i < len; i++)
		if (data[i] != c->want[(off + i) & (FLASH_SIZE - 1u)])
			return -EBADMSG;
	c->next = off + (uint32_t)len;
	return 0;
}

static void run_session(struct uc_api *api, uint32_t load_addr)
{
	struct emu e;
	struct brom b;
	struct da d;
	struct da_flash_info fi;
	struct cmp c;
	uint32_t crc = 0, v32;
	uint16_t v16[2];
	uint64_t code0;
	double s;

	emu_setup(&e, api, load_addr);
	brom_init(&b, &e.link->tp, NULL);
	da_init(&d, &b);
	d.timeout_ms = 10000; /* emulated code is slower than the watch */
	if (da_wait_hello(&d, 10000) != 0)
		fail_msg("no hello from the emulated agent: %s (emulator: %s)", d.detail,
			 api->strerror(e.emu_ret));
	/* the agent keeps the host's watchdog armed and kicks it (issue 12) */
	assert_false(e.wdt_off);
	assert_true(e.wdt_kicks >= 1);
	assert_int_equal(da_probe(&b, 5000), 1);

	assert_int_equal(da_flash_info(&d, &fi), 0);
	assert_memory_equal(fi.jedec, "\xEF\x40\x14", 3);
	assert_int_equal(fi.jedec_size, FLASH_SIZE);
	assert_int_equal(fi.sfdp_size, FLASH_SIZE);
	assert_true(e.sfc_transactions >= 3);

	double t0 = mtk_now_s();
	c = (struct cmp){e.flash, 0};
	code0 = e.agent_code_bytes;
	{
		unsigned kicks = e.wdt_kicks;

		assert_int_equal(da_read(&d, 0, FLASH_SIZE, cmp_sink, &c), 0);
		/* at least one kick per 4 KiB packet */
		assert_true(e.wdt_kicks - kicks >= FLASH_SIZE / DA_DEFAULT_PACKET);
	}
	double t1 = mtk_now_s();
	s = t1 - t0;
	printf("# emulated agent at 0x%08X: 1 MiB read in %.3f s\n", load_addr, s);
	/* random bytes: every block is tried, none shrinks, all go raw */
	assert_int_equal(d.zbytes[AGENT_ZK_RAW], FLASH_SIZE);
	printf("# emulated agent, compressed READ of 1 MiB random bytes (nothing shrinks): %.1f "
	       "instructions per byte\n",
	       (double)(e.agent_code_bytes - code0) / 2.0 / FLASH_SIZE);
	assert_int_equal(c.next, FLASH_SIZE);
	/* odd offsets, a padded reply (35 bytes), and the aliased top of the window */
	c = (struct cmp){e.flash, 12345};
	assert_int_equal(da_read(&d, 12345, 54321, cmp_sink, &c), 0);
	c = (struct cmp){e.flash, 77};
	assert_int_equal(da_read(&d, 77, 35, cmp_sink, &c), 0);
	c = (struct cmp){e.flash, AGENT_FLASH_WINDOW - 8192};
	assert_int_equal(da_read(&d, AGENT_FLASH_WINDOW - 8192, 8192, cmp_sink, &c), 0);
	assert_int_equal(d.retries, 0);

	assert_int_equal(da_crc32(&d, 0, FLASH_SIZE, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, e.flash, FLASH_SIZE));
	assert_int_equal(da_crc32(&d, 3, 1000, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, e.flash + 3, 1000));

	/* packets hit on the wire: re-requested, result exact */
	e.link->corrupt_every = 30011;
	c = (struct cmp){e.flash, 0};
	assert_int_equal(da_read(&d, 0, 256 * 1024, cmp_sink, &c), 0);
	assert_true(d.retries > 0);
	e.link->corrupt_every = 0;

	/* boot-ROM compatible commands answered by the agent */
	assert_int_equal(brom_read32(&b, 0xA0510000u, &v32, 1), 0);
	assert_int_equal(v32 & 3, 2); /* the agent mapped the flash at 0 */
	assert_int_equal(brom_legacy_read16(&b, 0x80000008u, v16, 1), 0);
	assert_int_equal(v16[0], 0x6261);
	v32 = 0x12345678u;
	assert_int_equal(brom_write32(&b, 0xA0700A28u, &v32, 1), 0);
	assert_int_equal(brom_read16(&b, 0xA0700A28u, v16, 2), 0);
	assert_int_equal(brom_read32(&b, 0x00000000u, &v32, 1), 0);
	assert_int_equal(v32, (uint32_t)e.flash[0] | (uint32_t)e.flash[1] << 8 |
				  (uint32_t)e.flash[2] << 16 | (uint32_t)e.flash[3] << 24);

	/* a second mtkbak run meets the agent: handshake and identify work through it */
	{
		struct brom b2;
		struct brom_id id;

		brom_init(&b2, &e.link->tp, NULL);
		b2.timeout_ms = 10000;
		assert_int_equal(brom_handshake(&b2, 10000), 0);
		if (brom_identify(&b2, &id) != 0)
			fail_msg("identify through the agent: %s", b2.detail);
		assert_int_equal(id.hw_code, 0x6261);
		assert_memory_equal(id.me_id, "MT6261-ME-ID-16B", 16);
		assert_int_equal(id.target_config, 0);
		assert_non_null(id.chip);
	}

	assert_int_equal(da_reboot(&d), 0);
	emu_join(&e);
	assert_true(e.wdt_reset);
	assert_int_equal(e.emu_ret, UC_ERR_OK);
	assert_int_equal(e.model_errors, 0);
	assert_int_equal(e.usb_stall_risks, 0);
	assert_int_equal(e.write_ops, 0); /* a read session never sends a write opcode */
	emu_teardown(&e);
}

/* The write path as ARM code: the session gate, erase with busy polling, page-safe program
 * pieces, read back through the SFC. */
static void test_agent_binary_writes(void **state)
{
	const struct chip_info *chip = chip_find(0x6261);
	struct emu e;
	struct brom b;
	struct da d;
	uint8_t data[4096], sr[2];
	uint32_t crc = 0, crcs[2];

	assert_non_null(chip);
	emu_setup(&e, *state, chip->agent_load_addr);
	brom_init(&b, &e.link->tp, NULL);
	da_init(&d, &b);
	d.timeout_ms = 10000;
	if (da_wait_hello(&d, 10000) != 0)
		fail_msg("no hello from the emulated agent: %s", d.detail);
	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	memset(data + 512, 0xFF, 256); /* a blank page: not programmed */
	/* outside a session nothing reaches the flash */
	assert_int_equal(da_erase(&d, 0x20, 0x3000, 500, NULL), -EREMOTEIO);
	assert_int_equal(d.last_status, AGENT_ST_READ_ONLY);
	assert_int_equal(da_program(&d, 0x3000, data, sizeof(data), 10, &crc), -EREMOTEIO);
	assert_int_equal(e.write_ops, 0);
	assert_int_equal(da_write_session(&d, true), 0);
	assert_int_equal(da_erase(&d, 0x20, 0x3000, 500, NULL), 0);
	for (uint32_t i = 0; i < 4096; i++)
		assert_int_equal(e.flash[0x3000 + i], 0xFF);
	assert_int_equal(da_program(&d, 0x3000, data, sizeof(data), 10, &crc), 0);
	assert_memory_equal(e.flash + 0x3000, data, sizeof(data));
	assert_int_equal(crc, mtk_crc32(0, data, sizeof(data)));
	assert_int_equal(e.programs, 30); /* 32 pieces of 128 bytes minus the blank page's 2 */
	assert_int_equal(e.max_pp_len, AGENT_SPI_CHUNK);
	assert_false(e.pp_crossed);
	/* a program that starts mid-page: pieces still never cross a page */
	assert_int_equal(da_erase(&d, 0x20, 0x5000, 500, NULL), 0);
	assert_int_equal(da_program(&d, 0x5000 + 200, data, 1000, 10, &crc), 0);
	assert_false(e.pp_crossed);
	assert_memory_equal(e.flash + 0x5000 + 200, data, 1000);
	assert_int_equal(da_sector_crcs(&d, 0x3000, 2, true, crcs), 0);
	assert_int_equal(crcs[0], mtk_crc32(0, data, sizeof(data)));
	assert_int_equal(crcs[1], mtk_crc32(0, e.flash + 0x4000, 4096));
	assert_int_equal(da_sector_crcs(&d, 0x3000, 1, false, crcs), 0);
	assert_int_equal(crcs[0], mtk_crc32(0, data, sizeof(data)));
	/* status register: set protection, the erase no longer takes, clear it again */
	assert_int_equal(da_write_status(&d, 0x1C, 0, 1, 50, sr), 0);
	assert_int_equal(sr[0], 0x1C);
	assert_int_equal(da_erase(&d, 0x20, 0x3000, 500, NULL), 0);
	assert_memory_equal(e.flash + 0x3000, data, 256);
	assert_int_equal(da_write_status(&d, 0x00, 0, 1, 50, sr), 0);
	assert_int_equal(da_status_regs(&d, sr), 0);
	assert_int_equal(sr[0], 0x00);
	assert_int_equal(da_write_session(&d, false), 0);
	assert_int_equal(da_reboot(&d), 0);
	emu_join(&e);
	assert_int_equal(e.emu_ret, UC_ERR_OK);
	assert_int_equal(e.model_errors, 0);
	assert_int_equal(e.usb_stall_risks, 0);
	emu_teardown(&e);
}

static void test_agent_binary_at_chip_address(void **state)
{
	const struct chip_info *chip = chip_find(0x6261);

	assert_non_null(chip);
	run_session(*state, chip->agent_load_addr);
}

/* The compressed READ on the emulated core (issue 16): real firmware (the first 768 KiB of
 * the MT6260A kit's ROM from the corpus) then 256 KiB erased, read compressed and plain; the
 * agent's instructions per byte are printed for both (from executed Thumb code bytes / 2, an
 * estimate), so the encoder's cost on the watch's core can be judged. */
static void test_agent_binary_compresses(void **state)
{
	struct uc_api *api = *state;
	const char *corpus = getenv("MTKBAK_CORPUS");
	const uint32_t fw_len = 768u * 1024u;
	char path[4096];
	uint8_t *rom = NULL;
	size_t rom_len = 0;
	struct emu e;
	struct brom b;
	struct da d;
	struct cmp c;
	uint64_t code0, z_code, raw_code, z_wire;

	snprintf(path, sizeof(path), "%s/mt6260a-kids-phone/MAUI", corpus);
	if (read_whole_file(path, &rom, &rom_len, 8u << 20) != 0 || rom_len < fw_len) {
		free(rom);
		skip();
	}
	emu_setup(&e, api, chip_find(0x6261)->agent_load_addr);
	memcpy(e.flash, rom, fw_len);
	memset(e.flash + fw_len, 0xFF, FLASH_SIZE - fw_len);
	free(rom);
	brom_init(&b, &e.link->tp, NULL);
	da_init(&d, &b);
	d.timeout_ms = 10000;
	if (da_wait_hello(&d, 10000) != 0)
		fail_msg("no hello from the emulated agent: %s", d.detail);
	assert_true(da_can_compress(&d));

	code0 = e.agent_code_bytes;
	c = (struct cmp){e.flash, 0};
	assert_int_equal(da_read(&d, 0, FLASH_SIZE, cmp_sink, &c), 0);
	z_code = e.agent_code_bytes - code0;
	z_wire = d.wire_bytes;
	assert_true(d.zbytes[AGENT_ZK_LZ4] > 0);
	assert_int_equal(d.zbytes[AGENT_ZK_ERASED], FLASH_SIZE - fw_len);
	assert_true(z_wire < FLASH_SIZE);

	d.compress = DA_COMPRESS_OFF;
	code0 = e.agent_code_bytes;
	c = (struct cmp){e.flash, 0};
	assert_int_equal(da_read(&d, 0, fw_len, cmp_sink, &c), 0);
	raw_code = e.agent_code_bytes - code0;
	printf("# emulated agent, compressed READ of 768 KiB firmware + 256 KiB erased: %.1f "
	       "instructions per flash byte (~%.1f per firmware byte), %llu bytes on the link "
	       "(%.1f%% saved); LZ4 packets carried %llu bytes\n",
	       (double)z_code / 2.0 / FLASH_SIZE, (double)z_code / 2.0 / fw_len,
	       (unsigned long long)z_wire, 100.0 * (1.0 - (double)z_wire / FLASH_SIZE),
	       (unsigned long long)d.zbytes[AGENT_ZK_LZ4]);
	printf("# emulated agent, plain READ of the same firmware: %.1f instructions per byte\n",
	       (double)raw_code / 2.0 / fw_len);
	assert_int_equal(da_reboot(&d), 0);
	emu_join(&e);
	assert_int_equal(e.model_errors, 0);
	assert_int_equal(e.usb_stall_risks, 0);
	emu_teardown(&e);
}

/* position independent: the same bytes run from another SRAM address */
static void test_agent_binary_elsewhere(void **state)
{
	run_session(*state, 0x70009000u);
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	struct uc_api *api;
	int ret;

	snprintf(path, sizeof(path), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	if (!corpus || access(path, R_OK) != 0) {
		printf("skip: no MT6261 boot ROM dump (MTKBAK_CORPUS=%s)\n",
		       corpus ? corpus : "(unset)");
		return 77;
	}
	if (mtkbak_agent_blob_len == 0) {
		printf("skip: the embedded agent image is empty\n");
		return 77;
	}
	api = load_unicorn();
	if (!api) {
		printf("skip: libunicorn.so.2 not found (apt-get install libunicorn-dev)\n");
		return 77;
	}
	{
		const struct CMUnitTest tests[] = {
		    cmocka_unit_test_prestate(test_agent_binary_at_chip_address, api),
		    cmocka_unit_test_prestate(test_agent_binary_elsewhere, api),
		    cmocka_unit_test_prestate(test_agent_binary_writes, api),
		    cmocka_unit_test_prestate(test_agent_binary_compresses, api),
		};

		ret = cmocka_run_group_tests(tests, NULL, NULL);
	}
	/* no dlclose: LeakSanitizer names the library's own leaks only while it is loaded */
	free(api);
	return ret;
}

#else /* !HAVE_UNICORN_H */

int main(void)
{
	printf("skip: <unicorn/unicorn.h> was not found at build time (apt-get install "
	       "libunicorn-dev)\n");
	return 77;
}

#endif
