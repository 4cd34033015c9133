/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private parts of the simulated watch (the sim folder). Public contract: include/mtkbak/sim.h.
 *
 * Threads: the host side (sim_host_read/write, bus queries) runs in the caller's thread, the
 * device side (boot ROM model, agent) in its own thread. Everything below `mu` is shared and
 * guarded by it; struct sim_dev is touched only by the device thread. */
#ifndef MTKBAK_SIM_INTERNAL_H
#define MTKBAK_SIM_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mtkbak/sim.h"
#include "mtkbak/clock.h"

#define SIM_PIPE_CAP   (256u * 1024u)
#define SIM_SEG_MAX    4096
#define SIM_SRAM_BASE  0x70000000u
#define SIM_SRAM_SIZE  0x10000u
#define SIM_PSRAM_SIZE (4u * 1024u * 1024u)
#define SIM_MAX_REGS   1024
#define SIM_MAX_LOADS  10 /* the boot ROM's loaded-region table has 10 entries */
#define SIM_USB_MPS    64 /* bulk packet size at USB full speed */

/* A byte ring buffer. */
struct sim_pipe {
	uint8_t *buf;
	size_t cap, head, len;
};

/* Link model (link=fs): device-to-host bytes up to `end` (lifetime count) are visible at `ready`.
 */
struct sim_seg {
	uint64_t end;
	int64_t ready_ns;
};

struct sim_reg {
	uint32_t addr, value;
};

struct sim_load {
	uint32_t addr, len;
};

/* The memory map seen by the boot ROM's commands (and the agent's register access). */
struct sim_mem {
	uint8_t sram[SIM_SRAM_SIZE];
	uint8_t *psram; /* allocated on first write */
	uint32_t remap;
	struct sim_reg regs[SIM_MAX_REGS];
	size_t nregs;
	uint32_t bbpu_pending;
	bool bbpu_pending_valid;
	bool reset_req; /* software reset through the watchdog */
};

/* Device-thread state; reset on every boot. */
struct sim_dev {
	uint64_t epoch; /* bus epoch this boot belongs to */
	struct sim_mem mem;
	struct sim_load loads[SIM_MAX_LOADS];
	size_t nloads;
	bool agent_reset;
	int64_t wdt_deadline_ns; /* wdt=MS: when the armed watchdog resets the chip, -1 never */
	int wdt_length_ms;	 /* from the LENGTH register (0: never written this boot) */
	uint64_t agent_sent;	 /* bytes the agent sent this boot (agent=die:N) */
};

/* The serial NOR's own state (sim_nor.c); the array is sim_watch.flash. Device thread only
 * (sim_nor_fini runs after it stopped). Status bits and the array survive a reset. */
struct sim_nor {
	uint8_t sr1, sr2;      /* non-volatile bits (WIP and WEL are computed) */
	bool wel;	       /* write-enable latch */
	int64_t busy_until_ns; /* WIP until then */
	uint64_t ops;	       /* erase and program commands accepted so far */
	bool cut_done;	       /* norcut= fired */
	uint8_t *window;       /* stale: what the memory window serves (NULL: the array) */
	bool mapped;	       /* persist: flash is a shared mapping of save=PATH */
	uint32_t rng;
};
#define SIM_PMU_LOG_MAX 64

struct sim_watch {
	struct sim_opts o;
	uint8_t *flash;
	size_t flash_len;
	uint8_t me_id[16];
	uint8_t *rom; /* rom=PATH: the boot-ROM dump, NULL without one */
	size_t rom_len;
	struct sim_nor nor;

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* --- guarded by mu --- */
	bool shutdown;
	bool present;
	uint64_t generation; /* enumerations so far */
	uint64_t epoch;	    /* bumps whenever the device must start over (leaves the bus, resets) */
	int64_t plug_at_ns; /* pending appearance on the bus, -1 none */
	int64_t enum_ns;    /* when it last enumerated */
	bool handshaken;    /* the enumeration window no longer applies */
	struct sim_pipe h2d, d2h;
	uint64_t d2h_pushed, d2h_popped; /* lifetime counts of bytes in/out of d2h */
	/* USB packets: bytes up to d2h_sent are in packets on the wire (the rest is the
	 * watch's partly filled packet buffer, which the host cannot see); a set bit in
	 * d2h_ends (one per d2h ring position) marks the last byte of a short packet, where a
	 * bulk IN transfer completes. */
	uint64_t d2h_sent;
	uint8_t *d2h_ends;
	/* CDC line state from the host (dtr=required): cleared on every enumeration */
	bool host_dtr, host_coding;
	struct sim_seg segs[SIM_SEG_MAX];
	size_t seg_head, seg_count;
	int64_t link_free_ns, host_wrote_ns;
	bool reply_pending;
	uint64_t bytes_sent; /* device-to-host bytes produced (fault positions count these) */
	uint32_t corrupted;
	bool disconnect_done;
	uint32_t rng;
	struct sim_reg_write pmu_log[SIM_PMU_LOG_MAX]; /* writes to the PMU range */
	size_t npmu;
	unsigned wdt_resets;

	/* --- device thread only --- */
	struct sim_dev dev;
	struct sim_engine *engine; /* rom=PATH / engine_log=PATH (engine.h), else NULL */

	/* nor_log=PATH (sim_norlog.c): the open log, and how many flash-changing commands */
	FILE *nor_log;
	unsigned long nor_writes;
};

/* Device side of the pipes (device thread). 0, or -1 when this boot is over (the watch left
 * the bus, was reset or is being freed). */
int sim_dev_recv(struct sim_watch *w, uint8_t *buf, size_t len);
int sim_dev_send(struct sim_watch *w, const uint8_t *buf, size_t len);
/* Up to max bytes: with wait, blocks until at least one came in; without, takes what is
 * there (maybe 0). The count, or -1 when this boot is over. */
int sim_dev_recv_some(struct sim_watch *w, uint8_t *buf, size_t max, bool wait);
/* Applies timed events (bus, the armed watchdog); true when this boot is over. */
bool sim_dev_check(struct sim_watch *w);
/* The ROM's flush: sends the partly filled packet (a short packet that ends the host's bulk
 * IN transfer); nothing when it is empty (no zero-length packet after a multiple of 64). */
int sim_dev_flush(struct sim_watch *w);
/* Waits until this boot is over (code that never talks again). */
void sim_dev_idle(struct sim_watch *w);
/* The boot ROM finished the handshake: the enumeration window stops. */
void sim_dev_handshaken(struct sim_watch *w);

/* Memory map (sim_mem.c). */
/* Loads rom=PATH into w->rom (nothing without the option): 0, or -1. */
int sim_rom_load(struct sim_watch *w);
void sim_mem_reset(struct sim_watch *w);
void sim_mem_free(struct sim_watch *w);
uint32_t sim_mem_read32(struct sim_watch *w, uint32_t addr);
uint16_t sim_mem_read16(struct sim_watch *w, uint32_t addr);
uint8_t sim_mem_read8(struct sim_watch *w, uint32_t addr);
void sim_mem_write32(struct sim_watch *w, uint32_t addr, uint32_t v);
void sim_mem_write16(struct sim_watch *w, uint32_t addr, uint16_t v);
void sim_mem_write8(struct sim_watch *w, uint32_t addr, uint8_t v);
/* True for a register the model answers (a known register, or one written before). */
bool sim_mem_reg_known(struct sim_watch *w, uint32_t addr);
/* The boot ROM stops kicking the watchdog once the host is in: an armed one starts counting. */
void sim_mem_wdt_handshaken(struct sim_watch *w);
/* Flash byte at a flash offset: aliased like a 24-bit SPI NOR of flash_len bytes, or 0xFF
 * past the end with past_end=ff. */
uint8_t sim_flash_byte(const struct sim_watch *w, uint32_t off);
/* len flash bytes from off (same rules). */
void sim_flash_read(const struct sim_watch *w, uint32_t off, uint8_t *buf, uint32_t len);

/* EMI memory self-test (MBIST) registers */
#define SIM_REG_MBIST_CTRL   0xA0050300u
#define SIM_REG_MBIST_CONFIG 0xA0050308u
#define SIM_REG_MBIST_STATUS 0xA0050318u
#define SIM_MBIST_PASSED     0x3FFC0002u /* finished (bit 1), no failure (bit 0) */
#define SIM_MBIST_FAILED     0x00000003u

/* One region of a boot ROM's forbidden-region table (the entries its D7 and READ checks
 * use: mask & 0x19F), in the ROM's own order: [start, end). */
struct sim_forbidden {
	uint32_t mask, start, end;
};
/* The table for a hw code (sim_brom.c); *count = 0 for an unknown one. */
const struct sim_forbidden *sim_forbidden_table(uint16_t hw_code, size_t *count);
/* The ROM's overlap check of [addr, addr+size) against the table: 1 = clear, 2/3 = it
 * overlaps a region, 0x706A size 0, 0x706B addr+size wraps (both sent as the status). */
uint32_t sim_range_check(uint16_t hw_code, uint32_t addr, uint32_t size);

/* Boot ROM command loop (sim_brom.c): returns when this boot is over. */
void sim_brom_run(struct sim_watch *w);
/* True when memory [addr, addr+len) starts with mtkbak's embedded agent (sim_agent.c). */
bool sim_agent_matches(struct sim_watch *w, uint32_t addr, uint32_t len);
/* Runs mtkbak's agent on the simulated hardware (sim_agent.c). */
void sim_agent_run(struct sim_watch *w);
/* Serial NOR flash model: one SPI transaction (sim_agent.c). */
int sim_nor_spi(struct sim_watch *w, const uint8_t *tx, uint32_t txlen, uint8_t *rx,
		uint32_t rxlen);
/* The NOR model (sim_nor.c). init at creation (0 or -1), boot at every power-on or reset,
 * fini when freed (writes save=PATH). */
int sim_nor_init(struct sim_watch *w);
void sim_nor_boot(struct sim_watch *w);
void sim_nor_fini(struct sim_watch *w);
/* Status register reads (05/35/15) and every command sim_nor_spi does not serve itself
 * (WREN/WRDI/WRSR/program/erase); 0, or -1 when the transaction cannot complete (the watch
 * lost power). */
int sim_nor_status(struct sim_watch *w, uint8_t op, uint8_t *rx, uint32_t rxlen);
int sim_nor_command(struct sim_watch *w, const uint8_t *tx, uint32_t txlen, uint8_t *rx,
		    uint32_t rxlen);
/* The array itself (what an SPI read returns), aliased like sim_flash_byte. */
uint8_t sim_nor_array_byte(const struct sim_watch *w, uint32_t off);
/* What the memory-mapped window serves: the array, or (stale) its copy from boot time. */
const uint8_t *sim_nor_window(const struct sim_watch *w);
/* sim options of the NOR model: known key? then parse it (0 or -EINVAL with err). */
bool sim_nor_opt_known(const char *key);
int sim_nor_opt(struct sim_opts *o, const char *key, const char *val, char *err, size_t errlen);
/* Device thread (sim.c): false once this boot is over; the power cut of norcut=. */
bool sim_dev_alive(struct sim_watch *w);
void sim_dev_power_cut(struct sim_watch *w);
/* nor_log (sim_norlog.c): opens/creates the log (0, or -errno), closes it. */
int sim_norlog_open(struct sim_watch *w);
void sim_norlog_close(struct sim_watch *w);
/* Counts and logs one flash-changing command: "OP ADDRESS LENGTH". op is the SPI opcode, or
 * SIM_NORLOG_WINDOW for a write into the memory-mapped flash window. */
#define SIM_NORLOG_WINDOW 0x100u
void sim_norlog_op(struct sim_watch *w, unsigned op, uint32_t addr, uint32_t len);
/* An SPI transaction the NOR model does not read with: log it when it changes the flash. */
void sim_norlog_spi(struct sim_watch *w, const uint8_t *tx, uint32_t txlen);
/* Fills a minimal SFDP table (header + basic flash parameter table) for the flash size. */
void sim_sfdp_table(const struct sim_watch *w, uint8_t out[256]);

#endif
