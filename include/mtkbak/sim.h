/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch: a byte-faithful model of the MT6261/MT6260/MT6250 boot ROM, with the
 * real ROM's USB packets and transfers (doc/simulator.md) (and, after a D5
 * jump to mtkbak's agent, of the agent itself, built from the agent's own C sources) with a
 * serial NOR flash. Used by the tests, by `--port sim:...` and by mtkbak-usbsim.
 *
 * The device side runs in its own thread and reads byte-wise like the real boot ROM, so
 * nothing depends on how the host splits its writes. All state lives in the handle. */
#ifndef MTKBAK_SIM_H
#define MTKBAK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_opts {
	uint16_t hw_code; /* chip=mt6261 (0x6261, default) | mt6260 (0x6260) | mt6250 (0x6250) */
	uint8_t jedec[3]; /* jedec=C84016: JEDEC ID; default derived from the image size */
	bool jedec_set;
	bool secure;   /* secure: D7 answers BROM_ST_SECURE */
	int window_ms; /* window=MS: handshake window after enumeration, then it
			  drops off the bus and re-enumerates (0 = no limit, default) */
	int plug_ms;   /* plug=MS: the watch appears this long after creation (default 0) */
	bool link_fs;  /* link=fs: USB full-speed timing model (default off) */
	uint32_t corrupt_every; /* corrupt=N: flip a bit in every Nth device-to-host byte */
	uint32_t corrupt_count; /* corruptcount=N: stop corrupting after N bytes (0 = no limit) */
	uint64_t drop_at;	/* drop=N: lose the Nth device-to-host byte (0 = never; 1-based) */
	uint64_t stall_at;	/* stall=N: stop sending before byte N ... */
	int stall_ms;		/* stallms=MS: ... for MS milliseconds (default 5000) */
	uint64_t
	    disconnect_at; /* disconnect=N: drop off the bus after N device-to-host bytes (once) */
	int replug_ms;	   /* replug=MS: come back MS after a disconnect (default -1: never) */
	uint32_t seed;	   /* seed=N: for the fault generators */
	uint32_t image_size; /* size=4M|8M|16M: for sim:demo, the generated flash size */
	/* Extensions for tests: */
	uint8_t me_id[16]; /* meid=32 hex digits: the E1 answer (default: derived from seed) */
	bool me_id_set;
	uint8_t fail_cmd; /* fail=CMD[:STATUS]: the boot ROM answers every CMD (hex, e.g. d1)... */
	uint16_t fail_status; /* ...with this error status (default 0x1D02) after its parameters */
	int wdt_ms; /* wdt=MS: an armed watchdog resets the watch after MS (0: not modelled) */
	/* reset=off: after a reset the watch boots its firmware and leaves the bus for good
	 * (default reset=brom: it comes back in boot-ROM mode, as when the boot key is held) */
	bool reset_leaves;
	/* dtr=required: the watch ignores the host (drops what it sends, sends nothing) until
	 * the host raised DTR and set a line coding (CDC SET_CONTROL_LINE_STATE and
	 * SET_LINE_CODING; sim_host_set_control_line / sim_host_set_line_coding in-process) */
	bool dtr_required;
	/* past_end=ff: flash reads past the end of the part return 0xFF (default wrap: they
	 * alias, like a 24-bit SPI NOR that ignores the address bits above its size) */
	bool past_end_ff;
	/* mbist=fail: the EMI memory self-test finishes with "failed" (0x03) instead of
	 * "passed" (0x3FFC0002) */
	bool mbist_fail;
	/* rom=PATH: a dump of the chip's boot ROM; memory reads of 0xFFF00000.. (mirrored every
	 * 64 KiB) return its bytes. Empty: no dump, the ROM area reads as zeros. */
	char rom_path[512];
	/* The serial NOR (sim/sim_nor.c): */
	bool nor_max;	     /* nor=max: every operation takes the datasheet maximum (typ) */
	uint32_t nor_speed;  /* norspeed=N: every NOR time divided by N (default 1) */
	uint32_t nor_cut;    /* norcut=N: power lost during the Nth erase/program (0 never) */
	int64_t nor_bad;     /* norbad=ADDR: the 4 KiB sector at ADDR never erases (-1) */
	int64_t nor_stuck;   /* norstuck=ADDR: bit 0 of the byte at ADDR stuck at 0 (-1) */
	bool nor_stale;	     /* stale: the memory window serves the flash as it was at boot */
	bool nor_persist;    /* persist: save=PATH holds every change at once (kill-safe) */
	uint8_t nor_sr1;     /* protect=HEX: status register 1 at power-on (BP bits) */
	char save_path[256]; /* save=PATH: the flash is written there when the watch is freed */
	/* nor_log=PATH: every flash-changing command the watch receives (SPI program, erase,
	 * write enable, write status; any write into the memory-mapped flash window) appends
	 * "OP ADDRESS LENGTH" (upper-case hex) to PATH, which is created even when nothing is
	 * logged: a test outside mtkbak can prove a read left the flash alone. */
	char nor_log[512];
	/* Faults of mtkbak's agent and the serial flash controller (tests/e2e/test_fallback.sh):
	 * agent=hang: the agent never answers (not even its hello);
	 * agent=die:N: every agent run stops for good after sending N bytes;
	 * agent=badstream: the READ stream's data is damaged, small answers are not;
	 * spi=fail: every SFC transaction stays busy (the agent's PIO gives up: status 0x2D04);
	 * sfc=slow:N: each SFC transaction is busy for N polls (the agent gives up above its
	 * poll limit, SIM_SFC_POLL_LIMIT) */
	bool agent_hang;
	bool agent_badstream; /* agent=badstream: every large send (READ data) has a bit flipped */
	uint64_t agent_die_at;
	bool spi_fail;
	uint32_t sfc_slow_polls;
	/* efuse=HEX8: the efuse word at 0xA01C0108 (MT2503 is 36000000) instead of the chip's */
	uint32_t efuse_swver;
	bool efuse_set;
	/* With rom=PATH (below) code started with D5 runs on the emulated ARM core
	 * (sim/engine.h), mtkbak's agent included. brom=engine: the ROM's own command loop
	 * answers after the handshake, on that core. engine_log=PATH: the engine's log (D5
	 * targets, peripheral accesses the model cannot answer), appended to. */
	bool brom_engine;
	char engine_log[512];
};

/* The agent's SFC poll limit (agent/arm/hal_arm.c SFC_POLL_LIMIT): sfc=slow:N at or above it
 * fails like spi=fail. */
#define SIM_SFC_POLL_LIMIT 0x200000u

/* A register write the simulated watch recorded (sim_pmu_writes). */
struct sim_reg_write {
	uint32_t addr;
	uint32_t value; /* as written (16-bit writes: the halfword) */
	unsigned width; /* 16 or 32 */
};

/* The largest boot-ROM dump rom= takes: the ROM window mirrors every 64 KiB. */
#define SIM_ROM_MAX (64 * 1024)

/* Fills defaults. */
void sim_opts_default(struct sim_opts *o);
/* Parses "opt=val,opt,..." (the part after IMAGE in sim:IMAGE,...); -EINVAL + message. */
int sim_opts_parse(const char *text, struct sim_opts *o, char *err, size_t errlen);

struct sim_watch;

/* Checks a flash image size: 0, or -EINVAL with the reason in err. */
int sim_image_size_check(size_t len, char *err, size_t errlen);

/* Creates a watch whose flash holds a copy of flash[0:len]. len must be a power of two
 * >= 64 KiB and <= 16 MiB (the real chip size); reads beyond it alias like a 24-bit SPI NOR.
 * NULL on a bad size or out of memory. */
struct sim_watch *sim_new(const struct sim_opts *o, const uint8_t *flash, size_t len);
void sim_free(struct sim_watch *w);

/* Host side of the data pipe (bulk IN/OUT). Same contract as transport read/write:
 * > 0 bytes, -ETIMEDOUT, or -ENODEV when the watch is off the bus.
 *
 * A read is one bulk IN transfer, as libusb_bulk_transfer() sees it: the watch sends
 * 64-byte packets, and a transfer completes on a short packet (the watch flushed a field)
 * or when len bytes arrived; a flush after a multiple of 64 bytes sends nothing (no
 * zero-length packet), so the transfer goes on. At the timeout the bytes of the transfer so
 * far are returned (libusb's actual_length), or -ETIMEDOUT when there are none. */
int sim_host_read(struct sim_watch *w, uint8_t *buf, size_t len, int timeout_ms);
int sim_host_write(struct sim_watch *w, const uint8_t *buf, size_t len, int timeout_ms);

/* CDC control requests (what usb.c and cdc_acm send at open): SET_CONTROL_LINE_STATE
 * (DTR, RTS) and SET_LINE_CODING. They matter with dtr=required; a re-enumeration clears
 * them. 0, or -ENODEV when the watch is off the bus. */
int sim_host_set_control_line(struct sim_watch *w, bool dtr, bool rts);
int sim_host_set_line_coding(struct sim_watch *w, uint32_t baud, uint8_t stop_bits, uint8_t parity,
			     uint8_t data_bits);

/* Bus presence: the watch is on the bus after plug_ms, leaves on disconnect faults,
 * window expiry or sim_unplug(), and comes back (a fresh boot ROM) on replug/sim_plug(). */
bool sim_present(const struct sim_watch *w);
/* Waits up to timeout_ms for the watch to be on the bus: 0, or -ENODEV. */
int sim_wait_present(struct sim_watch *w, int timeout_ms);
/* Counts enumerations; a host that sees it change knows the device rebooted. */
uint64_t sim_generation(const struct sim_watch *w);
void sim_unplug(struct sim_watch *w);
void sim_plug(struct sim_watch *w);

/* Introspection for tests. */
const uint8_t *sim_flash(const struct sim_watch *w, size_t *len);
uint64_t sim_bytes_sent(const struct sim_watch *w); /* device-to-host bytes so far */
/* Writes to the PMU range 0xA0700000-0xA0700FFF since sim_new, across resets, in order
 * (the first `max` go to out); returns how many there were. */
size_t sim_pmu_writes(const struct sim_watch *w, struct sim_reg_write *out, size_t max);
/* Watchdog resets (the armed watchdog ran out) since sim_new. */
unsigned sim_wdt_resets(const struct sim_watch *w);

/* ---- the simulated watch as a port (sim/sim_port.c) ---- */
struct mtk_transport;
struct port_env;
struct port_backend;
/* A transport on a simulated watch (which stays owned by the caller). 0 or -ENOMEM. */
int sim_transport_new(struct sim_watch *w, const char *name, struct mtk_transport **out);
/* The port backend for --port sim:IMAGE[,opt=val] | sim:demo | sim:A+B; register it with
 * port_env_add_backend. */
extern const struct port_backend sim_port_backend;
/* Checks the options of --port sim:ARG (every watch of sim:A+B) without creating anything:
 * 0, or -EINVAL with the reason in err. */
int sim_port_check(const char *arg, char *err, size_t errlen);
/* The simulated watch that --port sim:ARG opened in this env (NULL if none yet): for tests. */
struct sim_watch *sim_port_watch(const struct port_env *env, const char *arg);

#endif
