/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated serial NOR: what a W25Q/GD25Q-class part does with the commands that change
 * it (the read side, JEDEC ID and SFDP are in sim_agent.c's sim_nor_spi).
 *
 *  - WREN (06) sets the write-enable latch, WRDI (04) clears it; program, erase and status
 *    writes without the latch are ignored, as on a real part, and each of them clears it.
 *  - The busy bit (WIP, status bit 0) stays set for the operation's time: typical or
 *    maximum datasheet values of a W25Q128JV (nor=typ|max), divided by norspeed=N. While
 *    busy, every command but a status read is ignored.
 *  - Page program (02) only clears bits (1 to 0) and wraps inside its 256-byte page.
 *  - Erase (20/52/D8: 4/32/64 KiB, aligned down; C7/60: chip) sets 0xFF.
 *  - Status register 1 holds the block-protect bits (mtkbak/nor.h table); WRSR (01) writes
 *    status 1 [and 2], 31 writes status 2. Program and erase inside a protected range are
 *    ignored. protect=HEX sets status 1 at power-on.
 *  - Faults: norcut=N cuts the power during the Nth erase/program command (the range is
 *    left partly done, chosen by seed=; the watch drops off the bus), norbad=ADDR is a
 *    sector that never erases, norstuck=ADDR a byte whose bit 0 is stuck at 0, stale a
 *    memory window that keeps serving the flash as it was at boot (so verification has to
 *    go through the serial flash controller).
 *  - nor_log=PATH (sim_norlog.c, called from sim_nor_spi): every command that reaches
 *    sim_nor_command is logged there first, whether or not the part takes it.
 *  - save=PATH: the array is written there when the watch is freed; with persist, PATH is
 *    the array itself (a shared mapping), so it holds every change even when the process is
 *    killed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifndef _WIN32
#include <sys/mman.h>
#endif

#include "mtkbak/agent_wire.h"
#include "mtkbak/clock.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/nor.h"
#include "sim_internal.h"

#ifndef O_NOFOLLOW /* Windows: no symlinks to follow */
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* W25Q128JV datasheet, AC characteristics: tPP 0.4/3 ms (tBP1 30 us + tBP2 per byte),
 * tSE 45/400 ms, tBE1 (32 KiB) 120/1600 ms, tBE2 (64 KiB) 150/2000 ms, tCE 40/200 s,
 * tW 10/15 ms. */
struct nor_timing {
	uint32_t pp_first_us, pp_byte_ns, se_us, be32_us, be64_us, ce_ms, wrsr_us;
};
static const struct nor_timing nor_typ = {30, 1450, 45000, 120000, 150000, 40000, 10000};
static const struct nor_timing nor_max = {225, 10880, 400000, 1600000, 2000000, 200000, 15000};

#define NOR_POLL_SLEEP_NS 50000 /* a status read while busy lets this much time pass */

static const struct nor_timing *timing(const struct sim_watch *w)
{
	return w->o.nor_max ? &nor_max : &nor_typ;
}

static int64_t scaled_ns(const struct sim_watch *w, uint64_t ns)
{
	return (int64_t)(ns / (w->o.nor_speed ? w->o.nor_speed : 1u));
}

static uint32_t nor_rand(struct sim_watch *w)
{
	uint32_t x = w->nor.rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	w->nor.rng = x;
	return x;
}

/* persist: the array becomes a shared mapping of save=PATH, so every change is in the file at
 * once and survives a killed process. */
static int persist_map(struct sim_watch *w)
{
#ifndef _WIN32
	int fd = open(w->o.save_path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	void *m;

	if (fd < 0)
		return -1;
	if (write(fd, w->flash, w->flash_len) != (ssize_t)w->flash_len) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, w->flash_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	free(w->flash);
	w->flash = m;
	w->nor.mapped = true;
	return 0;
#else
	return -1;
#endif
}

int sim_nor_init(struct sim_watch *w)
{
	memset(&w->nor, 0, sizeof(w->nor));
	w->nor.sr1 = w->o.nor_sr1 & (NOR_SR_BP_MASK | NOR_SR_TB | NOR_SR_SEC | NOR_SR_SRP);
	w->nor.rng = w->o.seed * 2246822519u + 0x9E3779B9u;
	if (w->o.nor_persist && (!w->o.save_path[0] || persist_map(w) < 0))
		return -1;
	if (w->o.nor_stale) {
		w->nor.window = malloc(w->flash_len);
		if (!w->nor.window)
			return -1;
		memcpy(w->nor.window, w->flash, w->flash_len);
	}
	return 0;
}

void sim_nor_boot(struct sim_watch *w)
{
#ifdef __linux__
	/* status polls sleep in short steps: without this each one oversleeps by the default
	 * 50 us timer slack, far longer than a real status read takes */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
#endif
	w->nor.wel = false; /* the latch is volatile; a pending operation still finishes */
	if (w->nor.window)  /* a reset invalidates whatever the controller had cached */
		memcpy(w->nor.window, w->flash, w->flash_len);
}

static void save_flash(const struct sim_watch *w)
{
	/* temp name, no-follow open, fsync, rename (replacing the image a test started from) */
	atomic_write_file(w->o.save_path, w->flash, w->flash_len, true);
}

void sim_nor_fini(struct sim_watch *w)
{
#ifndef _WIN32
	if (w->nor.mapped) {
		munmap(w->flash, w->flash_len); /* already in the file */
		w->flash = NULL;
	}
#endif
	if (w->o.save_path[0] && w->flash)
		save_flash(w);
	free(w->nor.window);
	memset(&w->nor, 0, sizeof(w->nor));
}

uint8_t sim_nor_array_byte(const struct sim_watch *w, uint32_t off)
{
	return w->flash[off & (uint32_t)(w->flash_len - 1)];
}

const uint8_t *sim_nor_window(const struct sim_watch *w)
{
	return w->nor.window ? w->nor.window : w->flash;
}

static bool busy(const struct sim_watch *w)
{
	return mtk_now_ns() < w->nor.busy_until_ns;
}

static void set_busy(struct sim_watch *w, uint64_t ns)
{
	w->nor.busy_until_ns = mtk_now_ns() + scaled_ns(w, ns);
}

int sim_nor_status(struct sim_watch *w, uint8_t op, uint8_t *rx, uint32_t rxlen)
{
	uint8_t v;

	if (busy(w)) {
		/* a real status read takes time on the bus; here it lets the part progress */
		int64_t left = w->nor.busy_until_ns - mtk_now_ns();
		struct timespec ts = {0, left < NOR_POLL_SLEEP_NS ? (long)left : NOR_POLL_SLEEP_NS};

		if (ts.tv_nsec > 0)
			nanosleep(&ts, NULL);
		if (!sim_dev_alive(w))
			return -1;
	}
	if (op == NOR_OP_RDSR)
		v = (uint8_t)(w->nor.sr1 | (w->nor.wel ? NOR_SR_WEL : 0u) |
			      (busy(w) ? NOR_SR_WIP : 0u));
	else if (op == NOR_OP_RDSR2)
		v = w->nor.sr2;
	else
		v = 0;
	for (uint32_t i = 0; i < rxlen; i++)
		rx[i] = v; /* a status register read repeats while the clock runs */
	return 0;
}

static bool is_protected(const struct sim_watch *w, uint32_t addr, uint32_t len)
{
	uint32_t start, end;

	nor_protected_range(w->nor.sr1, (uint32_t)w->flash_len, &start, &end);
	return start < end && addr < end && addr + len > start;
}

static uint8_t erased_value(const struct sim_watch *w, uint32_t off)
{
	if (w->o.nor_stuck >= 0 && (uint64_t)w->o.nor_stuck % w->flash_len == off)
		return 0xFE; /* bit 0 stuck at 0 */
	return 0xFF;
}

/* norcut=N: counts accepted erase/program commands; true when this one loses the power. */
static bool power_cut_now(struct sim_watch *w)
{
	w->nor.ops++;
	if (!w->o.nor_cut || w->nor.cut_done || w->nor.ops != w->o.nor_cut)
		return false;
	w->nor.cut_done = true;
	return true;
}

static void do_erase(struct sim_watch *w, uint8_t op, uint32_t addr, uint32_t size, uint64_t ns)
{
	uint32_t base =
	    size >= w->flash_len ? 0 : (addr & (uint32_t)(w->flash_len - 1)) & ~(size - 1);
	uint32_t n = size >= w->flash_len ? (uint32_t)w->flash_len : size;
	uint32_t done = n;
	bool cut;

	if (!w->nor.wel || busy(w))
		return;
	w->nor.wel = false;
	if (is_protected(w, base, n))
		return;
	cut = power_cut_now(w);
	if (cut)
		done = nor_rand(w) % n; /* erased up to here, one byte half-way */
	for (uint32_t i = 0; i < done; i++) {
		uint32_t off = base + i;

		if (w->o.nor_bad >= 0 &&
		    ((uint64_t)w->o.nor_bad % w->flash_len) / NOR_SECTOR == off / NOR_SECTOR)
			continue; /* a worn sector: the erase does not take */
		w->flash[off] = erased_value(w, off);
	}
	if (cut) {
		w->flash[base + done] |= (uint8_t)nor_rand(w);
		sim_dev_power_cut(w);
		return;
	}
	set_busy(w, ns);
}

static void do_program(struct sim_watch *w, uint32_t addr, const uint8_t *data, uint32_t n)
{
	const struct nor_timing *t = timing(w);
	uint32_t page = (addr & (uint32_t)(w->flash_len - 1)) & ~(NOR_PAGE - 1u);
	uint32_t col = addr & (NOR_PAGE - 1u), done;
	bool cut;

	if (!w->nor.wel || busy(w) || n == 0)
		return;
	w->nor.wel = false;
	if (is_protected(w, page, NOR_PAGE))
		return;
	if (n > NOR_PAGE) { /* a real part keeps the last 256 bytes it was sent */
		data += n - NOR_PAGE;
		col = (col + n - NOR_PAGE) & (NOR_PAGE - 1u);
		n = NOR_PAGE;
	}
	cut = power_cut_now(w);
	done = cut ? nor_rand(w) % n : n;
	for (uint32_t i = 0; i < done; i++)
		w->flash[page + ((col + i) & (NOR_PAGE - 1u))] &= data[i];
	if (cut) {
		w->flash[page + ((col + done) & (NOR_PAGE - 1u))] &=
		    data[done] | (uint8_t)nor_rand(w);
		sim_dev_power_cut(w);
		return;
	}
	set_busy(w, (uint64_t)t->pp_first_us * 1000u + (uint64_t)t->pp_byte_ns * (n - 1u));
}

static void do_wrsr(struct sim_watch *w, uint8_t op, const uint8_t *v, uint32_t n)
{
	if (!w->nor.wel || busy(w) || n == 0)
		return;
	w->nor.wel = false;
	if (op == NOR_OP_WRSR) {
		w->nor.sr1 = v[0] & (NOR_SR_BP_MASK | NOR_SR_TB | NOR_SR_SEC | NOR_SR_SRP);
		if (n >= 2)
			w->nor.sr2 = v[1];
	} else {
		w->nor.sr2 = v[0];
	}
	set_busy(w, (uint64_t)timing(w)->wrsr_us * 1000u);
}

static uint32_t addr24(const uint8_t *tx)
{
	return (uint32_t)tx[1] << 16 | (uint32_t)tx[2] << 8 | tx[3];
}

int sim_nor_command(struct sim_watch *w, const uint8_t *tx, uint32_t txlen, uint8_t *rx,
		    uint32_t rxlen)
{
	const struct nor_timing *t = timing(w);

	(void)rx;
	(void)rxlen;
	switch (tx[0]) {
	case NOR_OP_WREN:
	case NOR_OP_WRDI:
		if (!busy(w))
			w->nor.wel = tx[0] == NOR_OP_WREN;
		return 0;
	case NOR_OP_WRSR:
	case NOR_OP_WRSR2:
		do_wrsr(w, tx[0], tx + 1, txlen - 1u);
		return 0;
	case NOR_OP_PP:
		if (txlen < 4)
			return 0; /* the part waits for an address that never comes */
		do_program(w, addr24(tx), tx + 4, txlen - 4u);
		return 0;
	case NOR_OP_SE:
	case NOR_OP_BE32:
	case NOR_OP_BE64: {
		uint32_t size = tx[0] == NOR_OP_SE ? 4096u : tx[0] == NOR_OP_BE32 ? 32768u : 65536u;
		uint32_t us = tx[0] == NOR_OP_SE     ? t->se_us
			      : tx[0] == NOR_OP_BE32 ? t->be32_us
						     : t->be64_us;

		if (txlen < 4)
			return 0;
		do_erase(w, tx[0], addr24(tx), size, (uint64_t)us * 1000u);
		return 0;
	}
	case NOR_OP_CE:
	case NOR_OP_CE_60:
		do_erase(w, tx[0], 0, (uint32_t)w->flash_len, (uint64_t)t->ce_ms * 1000000u);
		return 0;
	default:
		return 0; /* anything else: the part does nothing */
	}
}

/* ---- options ---- */

static const char *const nor_keys[] = {"nor",	"norspeed", "norcut", "norbad", "norstuck",
				       "stale", "protect",  "save",   "persist"};

bool sim_nor_opt_known(const char *key)
{
	for (size_t i = 0; i < sizeof(nor_keys) / sizeof(nor_keys[0]); i++)
		if (!strcmp(key, nor_keys[i]))
			return true;
	return false;
}

static int num(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!v || !*v || *v == '-')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 0);
	if (errno || *end || *out > max)
		return -1;
	return 0;
}

int sim_nor_opt(struct sim_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
	unsigned long long n = 0;

	if (!strcmp(key, "nor")) {
		if (!val || (strcmp(val, "typ") && strcmp(val, "max"))) {
			snprintf(err, errlen, "sim option nor must be typ or max (NOR timings)");
			return -EINVAL;
		}
		o->nor_max = !strcmp(val, "max");
	} else if (!strcmp(key, "stale") || !strcmp(key, "persist")) {
		if (val) {
			snprintf(err, errlen, "sim option %s takes no value", key);
			return -EINVAL;
		}
		if (!strcmp(key, "stale"))
			o->nor_stale = true;
		else
			o->nor_persist = true;
	} else if (!strcmp(key, "save")) {
		char *dst = o->save_path;

		if (!val || !*val || strlen(val) >= sizeof(o->save_path)) {
			snprintf(err, errlen, "sim option %s needs a file name (under %zu bytes)",
				 key, sizeof(o->save_path));
			return -EINVAL;
		}
		snprintf(dst, sizeof(o->save_path), "%s", val);
	} else if (!strcmp(key, "protect")) {
		char *end;
		unsigned long v = val ? strtoul(val, &end, 16) : 0;

		if (!val || !*val || *end || v > 0xFF) {
			snprintf(
			    err, errlen,
			    "sim option protect needs status register 1 in hex, e.g. protect=1C");
			return -EINVAL;
		}
		o->nor_sr1 = (uint8_t)v;
	} else {
		unsigned long long max = !strcmp(key, "norspeed") ? 1000000u
					 : !strcmp(key, "norcut") ? 0xFFFFFFFFu
								  : 0xFFFFFFu;

		if (num(val, max, &n) < 0 || (!strcmp(key, "norspeed") && n == 0)) {
			snprintf(err, errlen, "sim option %s needs a number%s", key,
				 !strcmp(key, "norspeed") ? " from 1 (real time) to 1000000"
				 : !strcmp(key, "norcut") ? " (the Nth erase/program, from 1)"
							  : " (a flash address)");
			return -EINVAL;
		}
		if (!strcmp(key, "norspeed"))
			o->nor_speed = (uint32_t)n;
		else if (!strcmp(key, "norcut"))
			o->nor_cut = (uint32_t)n;
		else if (!strcmp(key, "norbad"))
			o->nor_bad = (int64_t)n;
		else
			o->nor_stuck = (int64_t)n;
	}
	return 0;
}
