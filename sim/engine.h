/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch's execution engine: code started with D5 runs on an emulated ARM
 * core (libunicorn, ARM926 = ARMv5TE like the watch's ARM7EJ-S, ARM and Thumb) with the
 * real boot ROM (sim option rom=PATH) mapped at 0xFFF00000, the SRAM state the ROM leaves,
 * the simulator's memory and register model, the serial flash controller on the NOR model,
 * and the ROM's own USB character I/O (putc/getc/flush run as ROM code down to the USB
 * controller's FIFO; the controller's interrupt service is modelled, see engine.c).
 *
 * The only interface between the engine and the rest of sim/. Device thread only, except
 * sim_engine_new/free. Without libunicorn at build time every call is a stub that says so. */
#ifndef MTKBAK_SIM_ENGINE_H
#define MTKBAK_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_watch;

/* True when this build has the engine (libunicorn was found). */
bool sim_engine_built(void);

/* Loads the boot-ROM dump named by the options (rom=PATH) into the watch; 0 without one,
 * or a negative errno code (-ENOENT, -EFBIG, -ENOSYS: no engine in this build). */
int sim_engine_new(struct sim_watch *w);
void sim_engine_free(struct sim_watch *w);

/* True when the watch has a boot-ROM dump: D5 targets then run on the engine. */
bool sim_engine_enabled(const struct sim_watch *w);

/* Runs the code at `entry` (what D5 jumped to) through the ROM's own trampoline until this
 * boot is over (the watch reset, left the bus or is freed). Returns when it is. */
void sim_engine_run(struct sim_watch *w, uint32_t entry);

/* Runs the boot ROM's own command loop on the core (sim option brom=engine), from right
 * after the handshake, until this boot is over; its D5 runs the target on the same core. */
void sim_engine_run_brom(struct sim_watch *w);

/* One line to the engine log (engine_log=PATH), with a time stamp; nothing without it. */
void sim_engine_logf(struct sim_watch *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What the last sim_engine_run did, for tests and benchmarks. */
struct sim_engine_stats {
	uint64_t slices;	 /* emulation slices (each bounded in time) */
	uint64_t unmodelled;	 /* peripheral accesses the model could not answer */
	uint64_t usb_packets_in; /* packets the ROM's putc/flush put on the bus */
	uint64_t usb_zlp;	 /* zero-length packets (the ROM never sends one) */
	uint64_t sfc_transactions;
	int last_error; /* unicorn error of the last slice (0 = none) */
	uint32_t last_pc;
};
void sim_engine_stats(const struct sim_watch *w, struct sim_engine_stats *out);

#endif
