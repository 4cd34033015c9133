/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch's execution engine (see engine.h): libunicorn's ARM926 running what
 * D5 started, on the real boot ROM.
 *
 * Memory map of the emulated core:
 *   0x00000000  256 MiB  the simulator's bank 0 (sim_mem: boot code, or the flash window
 *                        after remap = 2, or PSRAM after remap = 3), as MMIO
 *   0x10000000    4 MiB  PSRAM, RAM (the simulator's own buffer); the rest of the bank MMIO
 *   0x70000000   64 KiB  SRAM, RAM (the simulator's own buffer: D7 loads are already there)
 *   0x80000000   64 KiB  chip ID block (sim_mem)
 *   0xA0000000   16 MiB  peripherals: the serial flash controller at 0xA0140000 (PIO mode on
 *                        the NOR model, sim_nor_spi), the USB controller at 0xA0900000
 *                        (INDEX, endpoint FIFOs, TxPktRdy), everything else sim_mem
 *                        (watchdog with reset, remap, ID/efuse, PMU, RTC)
 *   0xFFF00000    1 MiB  the ROM dump, padded with zeros to 64 KiB and mirrored 16 times
 * Anything else is logged and mapped as zero RAM on first touch.
 *
 * Before D5's target runs, the ROM's own select_io(1) fills the SRAM I/O driver table, the
 * ME ID goes where the ROM's E1 handler reads it, the USB driver state says "configured"
 * (state byte 3, endpoint descriptors), and the ROM's D5 trampoline hands over (stack,
 * r0-r3 = 0xBBBBBBBB, bx). Every character the code sends or receives goes through the ROM's
 * putc/getc/flush as ROM code: putc's 64-byte buffer, its wait for the host to take each
 * full packet, flush's partial packet (never a zero-length one), the "state must be 3"
 * rule. What is modelled in C is the USB controller below them: the FIFO and TxPktRdy
 * registers (a packet goes to the host when the ROM sets TxPktRdy) and the ROM's polled
 * interrupt service, which is hooked: it tells the ROM the host took the packet, and fills
 * the ROM's receive buffer with the next packet (up to 64 bytes) from the host. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_rom.h"
#include "mtkbak/clock.h"
#include "mtkbak/fsutil.h"
#include "sim_internal.h"

#ifdef MTKBAK_HAVE_UNICORN
#include <unicorn/unicorn.h>
#endif

#include "core/brom_scan.h"

#define ROM_MIRRORS    16u
#define BANK_SIZE      0x10000000u
#define PSRAM_BASE     0x10000000u
#define ID_BASE	       0x80000000u
#define ID_SIZE	       0x10000u
#define PERI_BASE      0xA0000000u
#define PERI_SIZE      0x01000000u
#define SFC_BASE       0xA0140000u
#define SFC_SIZE       0x1000u
#define SFC_BUF	       0x800u
#define SFC_BUF_SIZE   0x100u
#define USB_BASE       0xA0900000u
#define USB_SIZE       0x1000u
#define USB_FADDR      0x00u
#define USB_INDEX      0x0Eu
#define USB_HOST_ADDR  1u /* the address the host gave it (the capture's device 1) */
#define UART1_BASE     0xA0080000u
#define UART_SIZE      0x100u
#define UART_LSR       0x14u
#define UART_LSR_IDLE  0x60u /* transmitter empty: what an idle UART shows */
#define UART_LINE      120u
#define USB_INCSR1     0x11u
#define USB_FIFO0      0x20u
#define USB_PKT	       64u
#define OUT_BATCH      4096u	  /* full packets reach the pipe in batches of up to 64 */
#define SLICE_NS       20000000ll /* the run checks for the end of the boot every 20 ms */
#define SETUP_US       1000000u
#define NEVER	       0xFFFFFFFEu
#define LOG_SEEN_MAX   512u
#define LOG_PER_ADDR   3u
#define ME_ID_LEN      16u
#define ROM_STACK_TOP  0x70003F58u
#define TRAMPOLINE_REG 0xBBBBBBBBu

#define ROM_WINDOW 0x10000u

enum stop_reason { STOP_NONE, STOP_OVER, STOP_RESET, STOP_FAULT };

struct log_seen {
	uint32_t key;
	uint32_t count;
};

struct sim_engine {
	uint8_t *rom; /* ROM_WINDOW bytes: the dump, zero padded */
	size_t rom_len;
	const struct engine_rom *info;
	struct agent_brom_io io;
	FILE *log;
	int64_t t0_ns;
	struct sim_engine_stats stats;

#ifdef MTKBAK_HAVE_UNICORN
	/* per run */
	uc_engine *uc;
	struct sim_watch *w;
	enum stop_reason stop;
	uint8_t usb_index;
	uint8_t usb_regs[USB_SIZE];
	uint8_t tx_pkt[USB_PKT];
	uint8_t rx_pkt[USB_PKT]; /* a packet from the host, for code with its own USB driver */
	uint32_t rx_len, rx_pos;
	uint8_t usb_ep_regs[16][8];
	uint32_t tx_len;
	bool tx_taken_pending;
	char uart_line[UART_LINE + 1]; /* what the code prints on UART1, logged by line */
	uint32_t uart_len;
	uint8_t out[OUT_BATCH]; /* full packets not yet handed to the pipe */
	uint32_t out_len;
	uint32_t sfc_ctl, sfc_wcount, sfc_rcount;
	uint8_t sfc_buf[SFC_BUF_SIZE];
	struct log_seen seen[LOG_SEEN_MAX];
	size_t nseen;
	uint8_t *zero_pages[64];
	size_t nzero;
	uint64_t blocks;
	int64_t next_check_ns;
	uint32_t last_block, same_block;
#endif
};

void sim_engine_logf(struct sim_watch *w, const char *fmt, ...)
{
	struct sim_engine *e = w->engine;
	va_list ap;

	if (!e || !e->log)
		return;
	fprintf(e->log, "%9.3f ", (double)(mtk_now_ns() - e->t0_ns) / 1e9);
	va_start(ap, fmt);
	vfprintf(e->log, fmt, ap);
	va_end(ap);
	fputc('\n', e->log);
	fflush(e->log);
}

int sim_engine_new(struct sim_watch *w)
{
	struct sim_engine *e;
	uint8_t *dump = NULL;
	size_t len = 0;
	int ret;

	if (!w->o.rom_path[0] && !w->o.engine_log[0])
		return 0;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->t0_ns = mtk_now_ns();
	if (w->o.engine_log[0]) {
		e->log = fopen(w->o.engine_log, "a");
		if (!e->log) {
			ret = -errno;
			free(e);
			return ret;
		}
	}
	w->engine = e;
	if (!w->o.rom_path[0])
		return 0;
	if (!sim_engine_built()) {
		sim_engine_logf(w, "rom=%s: this build has no execution engine (libunicorn)",
				w->o.rom_path);
		return -ENOSYS;
	}
	ret = read_whole_file(w->o.rom_path, &dump, &len, ROM_WINDOW);
	if (ret < 0) {
		sim_engine_logf(w, "boot ROM %s: %s", w->o.rom_path, strerror(-ret));
		return ret;
	}
	e->rom = calloc(1, ROM_WINDOW);
	if (!e->rom) {
		free(dump);
		return -ENOMEM;
	}
	memcpy(e->rom, dump, len);
	free(dump);
	e->rom_len = len;
	e->info = engine_rom_find(w->o.hw_code);
	if (!e->info) {
		sim_engine_logf(w, "no engine table for hw code 0x%04X", w->o.hw_code);
		return -ENOTSUP;
	}
	{
		char why[160];

		if (engine_rom_check(e->info, e->rom, e->rom_len, why, sizeof(why)) < 0) {
			sim_engine_logf(w, "boot ROM %s refused: %s", w->o.rom_path, why);
			return -EINVAL;
		}
	}
	if (agent_brom_scan(e->rom, ENGINE_ROM_BASE, ROM_WINDOW, &e->io) != AGENT_SCAN_OK) {
		sim_engine_logf(w, "boot ROM %s: its I/O tables were not found", w->o.rom_path);
		return -EINVAL;
	}
	/* The polled USB interrupt service becomes "bx lr" in the engine's copy; a code hook
	 * on it does what the service would (hook_usb_poll), so no hook ever moves the PC. */
	{
		uint32_t off = (e->info->usb_poll & ~1u) - ENGINE_ROM_BASE;

		e->rom[off] = 0x70;
		e->rom[off + 1] = 0x47;
	}
	sim_engine_logf(w, "boot ROM %s: %s, %zu bytes, I/O table 0x%08X, ME ID at 0x%08X",
			w->o.rom_path, e->info->name, len, (unsigned)e->io.io_vtable,
			(unsigned)e->io.me_id);
	return 0;
}

void sim_engine_free(struct sim_watch *w)
{
	struct sim_engine *e = w->engine;

	if (!e)
		return;
	if (e->log)
		fclose(e->log);
	free(e->rom);
	free(e);
	w->engine = NULL;
}

bool sim_engine_enabled(const struct sim_watch *w)
{
	return w->engine && w->engine->rom;
}

void sim_engine_stats(const struct sim_watch *w, struct sim_engine_stats *out)
{
	if (w->engine)
		*out = w->engine->stats;
	else
		memset(out, 0, sizeof(*out));
}

#ifdef MTKBAK_HAVE_UNICORN

bool sim_engine_built(void)
{
	return true;
}

/* ---- helpers ---- */

static uint32_t reg_get(struct sim_engine *e, int reg)
{
	uint32_t v = 0;

	uc_reg_read(e->uc, reg, &v);
	return v;
}

static void reg_set(struct sim_engine *e, int reg, uint32_t v)
{
	uc_reg_write(e->uc, reg, &v);
}

static uint32_t cur_pc(struct sim_engine *e)
{
	return reg_get(e, UC_ARM_REG_PC);
}

static void stop(struct sim_engine *e, enum stop_reason why)
{
	if (e->stop == STOP_NONE)
		e->stop = why;
	uc_emu_stop(e->uc);
}

static uint8_t *sram(struct sim_engine *e, uint32_t addr, uint32_t len)
{
	if (addr - SIM_SRAM_BASE >= SIM_SRAM_SIZE || SIM_SRAM_SIZE - (addr - SIM_SRAM_BASE) < len)
		return NULL;
	return &e->w->dev.mem.sram[addr - SIM_SRAM_BASE];
}

static void sram_put32(struct sim_engine *e, uint32_t addr, uint32_t v)
{
	uint8_t *p = sram(e, addr, 4);

	if (!p)
		return;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t sram_get32(struct sim_engine *e, uint32_t addr)
{
	const uint8_t *p = sram(e, addr, 4);

	if (!p)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One line per peripheral access the model cannot answer (a few per address, then a count). */
static void unmodelled(struct sim_engine *e, const char *what, uint32_t addr, unsigned size,
		       uint32_t value, bool write)
{
	uint32_t key = addr | (write ? 1u : 0u);
	size_t i;

	e->stats.unmodelled++;
	for (i = 0; i < e->nseen; i++)
		if (e->seen[i].key == key)
			break;
	if (i == e->nseen) {
		if (e->nseen == LOG_SEEN_MAX) {
			i = LOG_SEEN_MAX - 1; /* table full: count into the last slot */
		} else {
			e->seen[e->nseen++] = (struct log_seen){key, 0};
		}
	}
	if (++e->seen[i].count > LOG_PER_ADDR)
		return;
	sim_engine_logf(e->w, "unmodelled %s: %s%u 0x%08X %s 0x%08X at pc 0x%08X%s", what,
			write ? "write" : "read", size * 8, (unsigned)addr, write ? "=" : "->",
			(unsigned)value, (unsigned)cur_pc(e),
			e->seen[i].count == LOG_PER_ADDR ? " (further ones only counted)" : "");
}

static uint32_t mem_rd(struct sim_watch *w, uint32_t a, unsigned size)
{
	if (size == 4)
		return sim_mem_read32(w, a);
	if (size == 2)
		return sim_mem_read16(w, a);
	return sim_mem_read8(w, a);
}

static void mem_wr(struct sim_watch *w, uint32_t a, unsigned size, uint32_t v)
{
	if (size == 4)
		sim_mem_write32(w, a, v);
	else if (size == 2)
		sim_mem_write16(w, a, (uint16_t)v);
	else
		sim_mem_write8(w, a, (uint8_t)v);
}

/* ---- bank 0 and the rest of the PSRAM bank: the simulator's memory map ---- */

static uint64_t low_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct sim_engine *e = user;

	(void)uc;
	return mem_rd(e->w, (uint32_t)off, size);
}

static void low_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_engine *e = user;

	(void)uc;
	if ((e->w->dev.mem.remap & 3u) != 3u) {
		unmodelled(e, "write to boot code / flash window", (uint32_t)off, size, (uint32_t)v,
			   true);
		return;
	}
	mem_wr(e->w, (uint32_t)off, size, (uint32_t)v);
}

static uint64_t bank1_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct sim_engine *e = user;

	(void)uc;
	return mem_rd(e->w, PSRAM_BASE + SIM_PSRAM_SIZE + (uint32_t)off, size);
}

static void bank1_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_engine *e = user;

	(void)uc;
	mem_wr(e->w, PSRAM_BASE + SIM_PSRAM_SIZE + (uint32_t)off, size, (uint32_t)v);
}

/* ---- chip ID block and peripherals ---- */

static void after_reg_write(struct sim_engine *e, uint32_t a, uint32_t v)
{
	if (e->w->dev.mem.reset_req) {
		sim_engine_logf(e->w, "software reset (0x%08X = 0x%X) at pc 0x%08X", (unsigned)a,
				(unsigned)v, (unsigned)cur_pc(e));
		stop(e, STOP_RESET);
	}
	if (a == 0xA0510000u && (v & 3u) == 3u)
		sim_engine_logf(e->w,
				"remap = 3 at pc 0x%08X: the engine keeps PSRAM at 0x10000000 "
				"(flash there is not modelled)",
				(unsigned)cur_pc(e));
}

static uint64_t id_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct sim_engine *e = user;
	uint32_t a = ID_BASE + (uint32_t)off, v = mem_rd(e->w, a, size);

	(void)uc;
	if (!sim_mem_reg_known(e->w, a & ~3u))
		unmodelled(e, "register", a, size, v, false);
	return v;
}

static void id_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_engine *e = user;

	(void)uc;
	unmodelled(e, "write to the ID block", ID_BASE + (uint32_t)off, size, (uint32_t)v, true);
}

static void sfc_run(struct sim_engine *e)
{
	uint32_t wn = e->sfc_wcount, rn = e->sfc_rcount;

	e->stats.sfc_transactions++;
	if (wn == 0 || wn > SFC_BUF_SIZE || rn > SFC_BUF_SIZE - wn) {
		sim_engine_logf(e->w,
				"serial flash controller: transaction of %u+%u bytes does not fit "
				"its %u-byte buffer (pc 0x%08X)",
				(unsigned)wn, (unsigned)rn, SFC_BUF_SIZE, (unsigned)cur_pc(e));
		return;
	}
	/* the NOR model (sim/sim_nor.c) does status registers, write enable, program and erase */
	sim_nor_spi(e->w, e->sfc_buf, wn, e->sfc_buf + wn, rn);
	/* the first transaction of each kind, for the log's map of what code does */
	{
		uint32_t key =
		    0x5F000000u | (uint32_t)e->sfc_buf[0] << 16 | (wn & 0xFFu) << 8 | (rn & 0xFFu);
		size_t i;

		for (i = 0; i < e->nseen && e->seen[i].key != key; i++)
			;
		if (i == e->nseen && e->nseen < LOG_SEEN_MAX) {
			e->seen[e->nseen++] = (struct log_seen){key, 1};
			sim_engine_logf(
			    e->w,
			    "serial flash: command 0x%02X, %u bytes out, %u in -> %02X %02X "
			    "%02X (pc 0x%08X)",
			    e->sfc_buf[0], (unsigned)wn, (unsigned)rn, rn > 0 ? e->sfc_buf[wn] : 0,
			    rn > 1 ? e->sfc_buf[wn + 1] : 0, rn > 2 ? e->sfc_buf[wn + 2] : 0,
			    (unsigned)cur_pc(e));
		}
	}
}

static uint64_t sfc_read(struct sim_engine *e, uint32_t off, unsigned size)
{
	if (off >= SFC_BUF && off - SFC_BUF + size <= SFC_BUF_SIZE) {
		uint64_t v = 0;

		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)e->sfc_buf[off - SFC_BUF + i] << (8 * i);
		return v;
	}
	switch (off) {
	case 0x00:
		return e->sfc_ctl;
	case 0x08:
		return 0x100; /* CTL1: bus idle */
	case 0x10:
		return e->sfc_wcount;
	case 0x14:
		return e->sfc_rcount;
	default:
		unmodelled(e, "serial flash controller", SFC_BASE + off, size, 0, false);
		return 0;
	}
}

static void sfc_write(struct sim_engine *e, uint32_t off, unsigned size, uint32_t v)
{
	if (off >= SFC_BUF && off - SFC_BUF + size <= SFC_BUF_SIZE) {
		for (unsigned i = 0; i < size; i++)
			e->sfc_buf[off - SFC_BUF + i] = (uint8_t)(v >> (8 * i));
		return;
	}
	switch (off) {
	case 0x00:
		/* bit 2 trigger (with bit 3 enable): the transaction runs at once, then reads
		 * back done (bit 1) and not busy (bit 0) */
		if ((v & 0x04u) && (v & 0x08u) && !(e->sfc_ctl & 0x04u)) {
			if (v & 0x10u)
				unmodelled(e, "serial flash controller (quad mode)", SFC_BASE, size,
					   v, true);
			sfc_run(e);
			v |= 0x02u;
		} else if (!(v & 0x04u)) {
			v &= ~0x02u;
		}
		e->sfc_ctl = v & ~0x01u;
		return;
	case 0x10:
		e->sfc_wcount = v;
		return;
	case 0x14:
		e->sfc_rcount = v;
		return;
	default:
		unmodelled(e, "serial flash controller", SFC_BASE + off, size, v, true);
		return;
	}
}

/* The USB controller below the ROM's putc/flush: the ROM selects the endpoint (INDEX),
 * writes the packet into its FIFO byte by byte, then sets TxPktRdy; the packet then goes
 * to the host as it is (a zero-length one only if the ROM ever sent one: it does not). */
/* Hands the batched packets to the pipe. The bytes are already on their way to the host
 * as far as the ROM can tell; batching only saves host wake-ups. */
static void usb_deliver(struct sim_engine *e)
{
	if (e->out_len && sim_dev_send(e->w, e->out, e->out_len) < 0)
		stop(e, STOP_OVER);
	e->out_len = 0;
}

static void usb_commit(struct sim_engine *e)
{
	e->stats.usb_packets_in++;
	if (e->tx_len == 0) {
		e->stats.usb_zlp++;
		sim_engine_logf(e->w, "zero-length packet at pc 0x%08X lr 0x%08X",
				(unsigned)cur_pc(e), (unsigned)reg_get(e, UC_ARM_REG_LR));
	}
	memcpy(e->out + e->out_len, e->tx_pkt, e->tx_len);
	e->out_len += e->tx_len;
	/* a short packet ends the host's bulk IN transfer: it gets it now */
	if (e->tx_len < USB_PKT) {
		usb_deliver(e);
		if (e->stop == STOP_NONE && sim_dev_flush(e->w) < 0)
			stop(e, STOP_OVER);
	} else if (e->out_len + USB_PKT > OUT_BATCH) {
		usb_deliver(e);
	}
	e->tx_len = 0;
	e->tx_taken_pending = true; /* the ISR will tell the ROM the host took it */
}

/* The controller's registers for code that drives it itself (MediaTek's DA has its own USB
 * driver), in the Mentor "MUSBFSFC" layout the ROM uses: FADDR 0x00, POWER 0x01, IntrIn
 * 0x02, IntrOut 0x04, IntrUSB 0x06 (read-clear), their enables 0x07/0x09/0x0B, INDEX 0x0E,
 * the indexed endpoint registers 0x10-0x17 (InMaxP, InCSR1, InCSR2, OutMaxP, OutCSR1,
 * OutCSR2, OutCount1/2) and the FIFOs at 0x20 + 4 * endpoint. A packet from the host is
 * loaded when the code looks (IntrOut, OutCSR1, OutCount) and there is one. */
#define USB_POWER    0x01u
#define USB_INTRIN   0x02u
#define USB_INTROUT  0x04u
#define USB_INTRUSB  0x06u
#define USB_INMAXP   0x10u
#define USB_INCSR2   0x12u
#define USB_OUTMAXP  0x13u
#define USB_OUTCSR1  0x14u
#define USB_OUTCSR2  0x15u
#define USB_OUTCOUNT 0x16u
#define USB_OUTCNT2  0x17u

static uint8_t *usb_ep_reg(struct sim_engine *e, uint32_t off)
{
	return &e->usb_ep_regs[e->usb_index & 15u][off - USB_INMAXP];
}

static void usb_rx_load(struct sim_engine *e)
{
	int n;

	if (e->rx_len > e->rx_pos)
		return;
	usb_deliver(e);
	n = sim_dev_recv_some(e->w, e->rx_pkt, USB_PKT, false);
	if (n < 0) {
		stop(e, STOP_OVER);
		return;
	}
	e->rx_len = (uint32_t)n;
	e->rx_pos = 0;
	if (n > 0)
		e->usb_regs[USB_INTROUT] |= (uint8_t)(1u << (e->info->usb_out_ep & 15u));
}

static uint8_t usb_read8(struct sim_engine *e, uint32_t off, bool *known)
{
	uint8_t v;

	*known = true;
	switch (off) {
	case USB_INTRIN:
	case USB_INTROUT:
	case USB_INTRUSB:
		if (off == USB_INTROUT)
			usb_rx_load(e);
		v = e->usb_regs[off];
		e->usb_regs[off] = 0; /* read-clear */
		return v;
	case USB_INCSR1:
		return 0; /* TxPktRdy clears as soon as the host took the packet */
	case USB_OUTCSR1:
		usb_rx_load(e);
		return (uint8_t)(*usb_ep_reg(e, off) | (e->rx_len > e->rx_pos ? 1u : 0u));
	case USB_OUTCOUNT:
		usb_rx_load(e);
		return (uint8_t)(e->rx_len - e->rx_pos);
	case USB_OUTCNT2:
		return 0;
	case USB_INMAXP:
	case USB_INCSR2:
	case USB_OUTMAXP:
	case USB_OUTCSR2:
		return *usb_ep_reg(e, off);
	case USB_FADDR:
	case USB_POWER:
	case USB_INDEX:
	case 0x07u:
	case 0x09u:
	case 0x0Bu:
		return e->usb_regs[off];
	default:
		if (off >= USB_FIFO0 && off < USB_FIFO0 + 4u * 16u)
			return e->rx_pos < e->rx_len ? e->rx_pkt[e->rx_pos++] : 0;
		*known = false;
		return off < USB_SIZE ? e->usb_regs[off] : 0;
	}
}

static uint64_t usb_read(struct sim_engine *e, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	bool known = true, k;

	if (off >= USB_FIFO0 && off < USB_FIFO0 + 4u * 16u) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)usb_read8(e, off, &k) << (8 * i);
		return v;
	}
	for (unsigned i = 0; i < size; i++) {
		v |= (uint64_t)usb_read8(e, off + i, &k) << (8 * i);
		known = known && k;
	}
	if (!known)
		unmodelled(e, "USB controller", USB_BASE + off, size, (uint32_t)v, false);
	return v;
}

static bool usb_write8(struct sim_engine *e, uint32_t off, uint8_t v)
{
	switch (off) {
	case USB_INDEX:
		e->usb_index = v;
		e->usb_regs[off] = v;
		return true;
	case USB_INCSR1:
		if (v & 1u) {
			e->usb_regs[USB_INTRIN] |= (uint8_t)(1u << (e->usb_index & 15u));
			usb_commit(e);
		}
		return true;
	case USB_OUTCSR1:
		if (!(v & 1u)) /* OutPktRdy cleared: the code is done with the packet */
			e->rx_pos = e->rx_len = 0;
		*usb_ep_reg(e, off) = (uint8_t)(v & ~1u);
		return true;
	case USB_INMAXP:
	case USB_INCSR2:
	case USB_OUTMAXP:
	case USB_OUTCSR2:
		*usb_ep_reg(e, off) = v;
		return true;
	case USB_FADDR:
	case USB_POWER:
	case 0x07u:
	case 0x09u:
	case 0x0Bu:
		e->usb_regs[off] = v;
		return true;
	default:
		if (off < USB_SIZE)
			e->usb_regs[off] = v;
		return false;
	}
}

static void usb_write(struct sim_engine *e, uint32_t off, unsigned size, uint32_t v)
{
	bool known = true;

	if (off >= USB_FIFO0 && off < USB_FIFO0 + 4u * 16u) {
		for (unsigned i = 0; i < size; i++) {
			if (e->tx_len == USB_PKT) {
				unmodelled(e, "USB FIFO overrun", USB_BASE + off, size, v, true);
				break;
			}
			e->tx_pkt[e->tx_len++] = (uint8_t)(v >> (8 * i));
		}
		return;
	}
	for (unsigned i = 0; i < size; i++)
		known = usb_write8(e, off + i, (uint8_t)(v >> (8 * i))) && known;
	if (!known)
		unmodelled(e, "USB controller", USB_BASE + off, size, v, true);
}

/* UART1: an idle port whose transmitter never backs up; what the code prints goes to the
 * engine log line by line (MediaTek's DA prints its progress there). Its other registers
 * are the generic model's. */
static bool uart_read(struct sim_engine *e, uint32_t off, uint32_t *v)
{
	(void)e;
	if (off != UART_LSR)
		return false;
	*v = UART_LSR_IDLE;
	return true;
}

static bool uart_write(struct sim_engine *e, uint32_t off, uint32_t v)
{
	uint8_t c = (uint8_t)v;

	if (off != 0 || (sim_mem_read32(e->w, UART1_BASE + 0x0Cu) & 0x80u))
		return false; /* not THR (or the divisor latch is selected) */
	if (c != '\n' && c != '\r' && e->uart_len < UART_LINE)
		e->uart_line[e->uart_len++] = (char)(c >= 0x20 && c < 0x7F ? c : '.');
	if ((c == '\n' || e->uart_len == UART_LINE) && e->uart_len) {
		e->uart_line[e->uart_len] = 0;
		sim_engine_logf(e->w, "uart1: %s", e->uart_line);
		e->uart_len = 0;
	}
	return true;
}

static uint64_t peri_read(uc_engine *uc, uint64_t off64, unsigned size, void *user)
{
	struct sim_engine *e = user;
	uint32_t a = PERI_BASE + (uint32_t)off64, v;

	(void)uc;
	if (a - SFC_BASE < SFC_SIZE)
		return sfc_read(e, a - SFC_BASE, size);
	if (a - USB_BASE < USB_SIZE)
		return usb_read(e, a - USB_BASE, size);
	if (a - UART1_BASE < UART_SIZE && uart_read(e, a - UART1_BASE, &v))
		return v;
	v = mem_rd(e->w, a, size);
	if (!sim_mem_reg_known(e->w, a & ~3u))
		unmodelled(e, "register", a, size, v, false);
	return v;
}

static void peri_write(uc_engine *uc, uint64_t off64, unsigned size, uint64_t v64, void *user)
{
	struct sim_engine *e = user;
	uint32_t a = PERI_BASE + (uint32_t)off64, v = (uint32_t)v64;

	(void)uc;
	if (a - SFC_BASE < SFC_SIZE) {
		sfc_write(e, a - SFC_BASE, size, v);
		return;
	}
	if (a - USB_BASE < USB_SIZE) {
		usb_write(e, a - USB_BASE, size, v);
		return;
	}
	if (a - UART1_BASE < UART_SIZE && uart_write(e, a - UART1_BASE, v))
		return;
	usb_deliver(e); /* (a watchdog reset must not lose what was sent before it) */
	if (!sim_mem_reg_known(e->w, a & ~3u))
		unmodelled(e, "register", a, size, v, true);
	mem_wr(e->w, a, size, v);
	after_reg_write(e, a, v);
}

/* ---- the ROM's polled USB interrupt service ---- */

static void hook_usb_poll(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct sim_engine *e = user;
	const struct engine_rom *r = e->info;

	(void)uc;
	(void)address;
	(void)size;
	if (e->tx_taken_pending) {
		uint8_t *flag = sram(e, r->usb_tx_done, 1);

		if (flag)
			*flag = 1;
		e->tx_taken_pending = false;
	} else if (sram_get32(e, r->usb_rx) == 0) {
		/* the next packet from the host: what it sent so far, up to 64 bytes */
		uint8_t *buf = sram(e, r->usb_rx + 4, USB_PKT);
		int n;

		if (!buf) {
			stop(e, STOP_FAULT);
			return;
		}
		usb_deliver(e); /* the code waits for the host: everything it sent goes out */
		if (e->stop != STOP_NONE)
			return;
		n = sim_dev_recv_some(e->w, buf, USB_PKT, true);
		if (n < 0) {
			stop(e, STOP_OVER);
			return;
		}
		sram_put32(e, r->usb_rx_index, 0);
		sram_put32(e, r->usb_rx, (uint32_t)n);
	}
	/* the patched "bx lr" returns to the ROM caller */
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
			  int64_t value, void *user)
{
	struct sim_engine *e = user;
	uint32_t base = (uint32_t)address & ~0xFFFFu;
	uint8_t *page;

	(void)uc;
	if (type == UC_MEM_FETCH_UNMAPPED || e->nzero == sizeof(e->zero_pages) / sizeof(void *)) {
		sim_engine_logf(e->w, "fetch from unmapped 0x%08X (pc 0x%08X): the core stops",
				(unsigned)address, (unsigned)cur_pc(e));
		return false;
	}
	unmodelled(e, "unmapped memory (now zero RAM)", (uint32_t)address, (unsigned)size,
		   (uint32_t)value, type == UC_MEM_WRITE_UNMAPPED);
	page = calloc(1, 0x10000);
	if (!page || uc_mem_map_ptr(e->uc, base, 0x10000, UC_PROT_ALL, page) != UC_ERR_OK) {
		free(page);
		return false;
	}
	e->zero_pages[e->nzero++] = page;
	return true;
}

/* Every translated block counts; every 4096 blocks the clock is read, and every SLICE_NS
 * the run checks whether this boot is over (reset, unplug, the armed watchdog, sim_free).
 * The run is never interrupted and resumed (Unicorn's own time-out does not restore the PC
 * exactly), it only ever stops for good. */
static void hook_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct sim_engine *e = user;
	int64_t now;

	(void)uc;
	/* a one-instruction block that runs again and again: "b ." (a hang, e.g. an assert) */
	if (size <= 4 && (uint32_t)address == e->last_block) {
		uint32_t sp0 = 0;

		if (++e->same_block == 100000 &&
		    uc_mem_read(e->uc, reg_get(e, UC_ARM_REG_SP), &sp0, 4) == UC_ERR_OK)
			sim_engine_logf(
			    e->w,
			    "the code loops on itself at pc 0x%08X (lr 0x%08X, [sp] 0x%08X, "
			    "r0 0x%08X r1 0x%08X r2 0x%08X r3 0x%08X)",
			    (unsigned)address, (unsigned)reg_get(e, UC_ARM_REG_LR), (unsigned)sp0,
			    (unsigned)reg_get(e, UC_ARM_REG_R0),
			    (unsigned)reg_get(e, UC_ARM_REG_R1),
			    (unsigned)reg_get(e, UC_ARM_REG_R2),
			    (unsigned)reg_get(e, UC_ARM_REG_R3));
	} else {
		e->last_block = (uint32_t)address;
		e->same_block = 0;
	}
	if ((++e->blocks & 0xFFFu) != 0)
		return;
	now = mtk_now_ns();
	if (now < e->next_check_ns)
		return;
	e->next_check_ns = now + SLICE_NS;
	e->stats.slices++;
	usb_deliver(e);
	if (sim_dev_check(e->w))
		stop(e, STOP_OVER);
}

/* ---- one run ---- */

static int map_all(struct sim_engine *e)
{
	struct sim_watch *w = e->w;
	uc_engine *uc = e->uc;
	uc_hook hh;

	if (!w->dev.mem.psram) {
		w->dev.mem.psram = calloc(1, SIM_PSRAM_SIZE);
		if (!w->dev.mem.psram)
			return -ENOMEM;
	}
	if (uc_mmio_map(uc, 0, BANK_SIZE, low_read, e, low_write, e) ||
	    uc_mem_map_ptr(uc, PSRAM_BASE, SIM_PSRAM_SIZE, UC_PROT_ALL, w->dev.mem.psram) ||
	    uc_mmio_map(uc, PSRAM_BASE + SIM_PSRAM_SIZE, BANK_SIZE - SIM_PSRAM_SIZE, bank1_read, e,
			bank1_write, e) ||
	    uc_mem_map_ptr(uc, SIM_SRAM_BASE, SIM_SRAM_SIZE, UC_PROT_ALL, w->dev.mem.sram) ||
	    uc_mmio_map(uc, ID_BASE, ID_SIZE, id_read, e, id_write, e) ||
	    uc_mmio_map(uc, PERI_BASE, PERI_SIZE, peri_read, e, peri_write, e))
		return -EIO;
	for (uint32_t i = 0; i < ROM_MIRRORS; i++)
		if (uc_mem_map_ptr(uc, ENGINE_ROM_BASE + i * ROM_WINDOW, ROM_WINDOW,
				   UC_PROT_READ | UC_PROT_EXEC, e->rom))
			return -EIO;
	if (uc_hook_add(uc, &hh, UC_HOOK_CODE, (void *)hook_usb_poll, e, e->info->usb_poll & ~1u,
			e->info->usb_poll & ~1u) ||
	    uc_hook_add(uc, &hh, UC_HOOK_MEM_UNMAPPED, (void *)hook_unmapped, e, 1, 0) ||
	    uc_hook_add(uc, &hh, UC_HOOK_BLOCK, (void *)hook_block, e, 1, 0))
		return -EIO;
	return 0;
}

/* The state the boot ROM leaves when its command loop calls D5's target. */
static int seed_rom_state(struct sim_engine *e)
{
	const struct engine_rom *r = e->info;
	uint8_t *p;
	uc_err err;

	/* ROM code run on the core as the ROM runs it: the reset code's calls (caches, the copy
	 * of its data into SRAM), then select_io(1) (USB driver into the I/O table) */
	const struct {
		const char *what;
		uint32_t addr;
	} calls[] = {
	    {"reset (caches)", r->reset_cache},
	    {"reset (data into SRAM)", r->scatter_load},
	    {"download set-up (SRAM, D7's region table)", r->mem_init},
	    {"select_io", r->select_io},
	};

	reg_set(e, UC_ARM_REG_CPSR, 0xD3); /* SVC, IRQ and FIQ masked (reset code, 0xFFF00078) */
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		reg_set(e, UC_ARM_REG_SP, ROM_STACK_TOP);
		reg_set(e, UC_ARM_REG_R0, 1);
		reg_set(e, UC_ARM_REG_LR, r->trampoline);
		err = uc_emu_start(e->uc, calls[i].addr, r->trampoline, SETUP_US, 0);
		if (err != UC_ERR_OK || cur_pc(e) != r->trampoline) {
			sim_engine_logf(e->w,
					"the ROM's %s at 0x%08X did not return (%s, pc 0x%08X)",
					calls[i].what, (unsigned)calls[i].addr, uc_strerror(err),
					(unsigned)cur_pc(e));
			return -EIO;
		}
	}
	/* the ME ID where the ROM's E1 handler reads it */
	if (e->io.me_id && (p = sram(e, e->io.me_id, ME_ID_LEN)) != NULL)
		memcpy(p, e->w->me_id, ME_ID_LEN);
	/* the USB driver after enumeration: configured, empty buffers, endpoint numbers */
	if ((p = sram(e, r->usb_state, 1)) != NULL)
		*p = 3;
	sram_put32(e, r->usb_tx, 0);
	sram_put32(e, r->usb_rx, 0);
	sram_put32(e, r->usb_rx_index, 0);
	if ((p = sram(e, r->usb_ep_desc, 8)) != NULL) {
		memset(p, 0, 8);
		p[0] = r->usb_in_ep;
		p[4] = r->usb_out_ep;
		sram_put32(e, r->usb_ep_ptrs, r->usb_ep_desc);
		sram_put32(e, r->usb_ep_ptrs + 4, r->usb_ep_desc + 4);
	}
	return 0;
}

/* entry: what D5 started (through the ROM's trampoline), or 0: the ROM's own command loop
 * (after the handshake; its D5 then calls the target itself). */
static void run(struct sim_engine *e, uint32_t entry)
{
	uc_err err;
	uint32_t start = e->info->trampoline;

	if (entry) {
		/* the trampoline: lr = r0 (the target), r4/r5 = r1/r2 (D5 passes none here) */
		reg_set(e, UC_ARM_REG_R0, entry);
		reg_set(e, UC_ARM_REG_R1, 0);
		reg_set(e, UC_ARM_REG_R2, 0);
		sim_engine_logf(e->w, "D5: running 0x%08X on the emulated core (%s boot ROM)",
				(unsigned)entry, e->info->name);
	} else {
		start = e->info->cmd_loop;
		reg_set(e, UC_ARM_REG_SP, ROM_STACK_TOP);
		reg_set(e, UC_ARM_REG_LR, e->info->trampoline);
		sim_engine_logf(e->w, "the %s boot ROM's command loop (0x%08X) runs on the core",
				e->info->name, (unsigned)(start & ~1u));
	}
	e->next_check_ns = mtk_now_ns() + SLICE_NS;
	err = uc_emu_start(e->uc, start, NEVER, 0, 0);
	if (e->stop == STOP_NONE) {
		e->stats.last_error = (int)err;
		e->stop = STOP_FAULT;
		sim_engine_logf(
		    e->w,
		    "the core stopped: %s at pc 0x%08X (lr 0x%08X sp 0x%08X cpsr 0x%08X "
		    "r0 0x%08X r1 0x%08X)",
		    uc_strerror(err), (unsigned)cur_pc(e), (unsigned)reg_get(e, UC_ARM_REG_LR),
		    (unsigned)reg_get(e, UC_ARM_REG_SP), (unsigned)reg_get(e, UC_ARM_REG_CPSR),
		    (unsigned)reg_get(e, UC_ARM_REG_R0), (unsigned)reg_get(e, UC_ARM_REG_R1));
	}
	e->stats.last_pc = cur_pc(e);
}

static void session(struct sim_watch *w, uint32_t entry)
{
	struct sim_engine *e = w->engine;
	uc_err err;

	if (!sim_engine_enabled(w)) {
		sim_dev_idle(w);
		return;
	}
	memset(&e->stats, 0, sizeof(e->stats));
	e->w = w;
	e->stop = STOP_NONE;
	e->usb_index = 0;
	memset(e->usb_regs, 0, sizeof(e->usb_regs));
	e->usb_regs[USB_FADDR] = USB_HOST_ADDR; /* enumerated: the host gave it an address */
	memset(e->usb_ep_regs, 0, sizeof(e->usb_ep_regs));
	for (unsigned ep = 1; ep < 16; ep++) /* 64-byte bulk FIFOs (full speed) [I] */
		e->usb_ep_regs[ep][0] = e->usb_ep_regs[ep][3] = USB_PKT;
	e->rx_len = e->rx_pos = 0;
	/* the ROM's last USB access before D5 was the flush of D5's status: INDEX = its IN
	 * endpoint */
	e->usb_index = e->info->usb_in_ep;
	e->usb_regs[USB_INDEX] = e->usb_index;
	e->uart_len = 0;
	e->tx_len = 0;
	e->tx_taken_pending = false;
	e->out_len = 0;
	e->sfc_ctl = e->sfc_wcount = e->sfc_rcount = 0;
	e->nseen = 0;
	e->nzero = 0;
	e->blocks = 0;
	e->last_block = e->same_block = 0;
	err = uc_open(UC_ARCH_ARM, UC_MODE_ARM, &e->uc);
	if (err != UC_ERR_OK) {
		sim_engine_logf(w, "cannot start the emulated core: %s", uc_strerror(err));
		sim_dev_idle(w);
		return;
	}
	uc_ctl(e->uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), UC_CPU_ARM_926);
	if (map_all(e) == 0 && seed_rom_state(e) == 0) {
		/* the counters are about the code that runs from here (the log has it all) */
		memset(&e->stats, 0, sizeof(e->stats));
		run(e, entry);
	} else
		e->stop = STOP_FAULT;
	sim_engine_logf(
	    w,
	    "run over (%s) at pc 0x%08X: %llu slices, %llu USB packets to the host (%llu "
	    "zero-length), %llu flash controller transactions, %llu unmodelled accesses",
	    e->stop == STOP_RESET  ? "the watch reset"
	    : e->stop == STOP_OVER ? "this boot is over"
				   : "the core stopped",
	    (unsigned)cur_pc(e), (unsigned long long)e->stats.slices,
	    (unsigned long long)e->stats.usb_packets_in, (unsigned long long)e->stats.usb_zlp,
	    (unsigned long long)e->stats.sfc_transactions, (unsigned long long)e->stats.unmodelled);
	uc_close(e->uc);
	e->uc = NULL;
	for (size_t i = 0; i < e->nzero; i++)
		free(e->zero_pages[i]);
	e->nzero = 0;
	if (e->stop == STOP_FAULT)
		sim_dev_idle(w); /* a crashed core: the watch hangs until reset or unplug */
}

void sim_engine_run(struct sim_watch *w, uint32_t entry)
{
	session(w, entry);
}

void sim_engine_run_brom(struct sim_watch *w)
{
	session(w, 0);
}

#else /* !MTKBAK_HAVE_UNICORN */

bool sim_engine_built(void)
{
	return false;
}

void sim_engine_run(struct sim_watch *w, uint32_t entry)
{
	sim_engine_logf(w, "code at 0x%08X not executed: this build has no execution engine",
			(unsigned)entry);
	sim_dev_idle(w);
}

void sim_engine_run_brom(struct sim_watch *w)
{
	sim_dev_idle(w);
}

#endif
