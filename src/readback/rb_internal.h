/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside the readback engine (src/readback). Each piece works on plain data so the unit tests
 * drive it without a watch: CRC-32, the mirror test, the firmware's flash tables, the size
 * decision, the progress record, and the engine itself over a table of device operations
 * (rb_device.c implements them with port/brom/da; the tests with an in-memory fake). */
#ifndef MTKBAK_RB_INTERNAL_H
#define MTKBAK_RB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"
#include "mtkbak/da.h"
#include "mtkbak/readback.h"

/* ---- CRC-32 (zlib's: reflected 0xEDB88320, init/xorout ~0); crc = 0 to start ---- */
uint32_t rb_crc32(uint32_t crc, const void *data, size_t len);
int rb_crc32_self_check(void); /* 0 when the tables are right */

/* ---- Mirror test ----
 * A 24-bit SPI NOR ignores address bits above its size, so reading past the real size returns
 * the start again. For each power of two S from 64 KiB to window/2 the test compares a few
 * 4 KiB samples at k and S+k (k = 0, S/2, S-4K); the smallest S where all agree is the size. */
#define RB_MIRROR_MIN	   (64u * 1024u)
#define RB_MIRROR_BLOCK	   4096u
#define RB_MIRROR_MAX_READ 40 /* reads the probe may make (bounded whatever the data) */

typedef int (*rb_read_fn)(void *ctx, uint32_t off, uint32_t len, uint8_t *buf);

enum rb_mirror_verdict {
	RB_MIRROR_NOT_RUN = 0,
	RB_MIRROR_FOUND,	/* data repeats every `period` bytes: the chip holds `period` */
	RB_MIRROR_NONE,		/* no repeat below the window: the chip holds >= `window` */
	RB_MIRROR_INCONCLUSIVE, /* samples uniform (blank flash) or not periodic: no evidence */
};

struct rb_mirror {
	enum rb_mirror_verdict verdict;
	uint32_t period; /* FOUND: the repeat period; NONE: the window */
	bool ff_above;	 /* INCONCLUSIVE because the data past a candidate size reads all 0xFF
			    (erased, or a chip that answers 0xFF past its end: past_end=ff) */
	char note[160];	 /* why, for the evidence text */
};

/* 0 (verdict set) or the read function's error. */
int rb_mirror_probe(rb_read_fn read, void *ctx, uint32_t window, struct rb_mirror *m);

/* ---- The firmware's own flash tables (GFH CMEM_ID_INFO 0x0102, CMEM_NOR_INFO 0x0103;
 * doc/firmware-layout.md section 5) found by a bounded scan of the flash's first bytes. ---- */
#define RB_CMEM_SCAN_LEN (256u * 1024u) /* covers EXT_BL and the ROM header in known layouts */
#define RB_CMEM_MAX	 8

struct rb_cmem_id {
	uint8_t type;  /* 3 = serial NOR */
	uint8_t len;   /* valid ID bytes */
	uint8_t id[8]; /* JEDEC 9Fh bytes */
};

struct rb_cmem {
	bool have_ids, have_nor;
	uint32_t ids_offset, nor_offset; /* where the tables were found (first valid copy) */
	unsigned nids, nnor;
	struct rb_cmem_id ids[RB_CMEM_MAX];
	uint32_t nor_size[RB_CMEM_MAX]; /* per entry: sum of BankSize x Banks */
	bool copies_differ;		/* a second copy (EXT_BL vs ROM) lists something else */
};

/* Scans buf (4-byte aligned candidates), validates every field before use. Never fails:
 * out->have_ids / have_nor tell what was found. */
void rb_cmem_scan(const uint8_t *buf, size_t len, struct rb_cmem *out);
/* The chip size the tables agree on (NOR_INFO banks, else 2^capacity of the listed IDs),
 * or 0 when absent or ambiguous (a combo list of different sizes). */
uint32_t rb_cmem_size(const struct rb_cmem *c);
/* Index of the entry listing this JEDEC ID, or -1. */
int rb_cmem_find_jedec(const struct rb_cmem *c, const uint8_t jedec[3]);
/* "C2 25 36, EF 60 16" */
void rb_cmem_list_text(const struct rb_cmem *c, char *out, size_t len);

/* ---- Size decision ---- */
struct rb_size_evidence {
	uint32_t user_length; /* --length, 0 = auto */
	uint32_t window;      /* the largest size readable (READBACK_MAX_SIZE) */
	bool have_jedec;
	uint8_t jedec[3];
	uint32_t jedec_size; /* 2^capacity byte; 0 = implausible */
	uint32_t sfdp_size;  /* 0 = no SFDP */
	struct rb_mirror mirror;
	const struct rb_cmem *cmem; /* NULL = not scanned */
};

#define RB_SIZE_MAX_WARN 3

struct rb_size_decision {
	uint32_t size;
	enum readback_size_source source;
	char evidence[320];
	bool conflict;
	unsigned nwarn;
	char warn[RB_SIZE_MAX_WARN][320];
};

/* 0, or -EINVAL with d->evidence saying why no size could be decided (ask for --length). */
int rb_decide_size(const struct rb_size_evidence *e, struct rb_size_decision *d);

/* The size a JEDEC capacity byte stands for (2^n for n in 16..25), 0 if implausible. */
uint32_t rb_jedec_capacity_size(uint8_t capacity);

/* ---- Progress record (FILE.part.state), a small text file ---- */
#define RB_STATE_MAX 1024

struct rb_state {
	uint32_t size;
	uint8_t me_id[16];
	bool have_jedec;
	uint8_t jedec[3];
	uint32_t verified;     /* bytes [0, verified) of FILE.part are read (packet-checked) */
	uint32_t verified_crc; /* CRC-32 of those bytes, to trust them again on a rerun */
};

/* Text form; returns its length, or -ENOSPC when len is too small. */
int rb_state_format(const struct rb_state *s, char *buf, size_t len);
/* Strict parse; -EINVAL with the reason in why. */
int rb_state_parse(const char *text, size_t len, struct rb_state *s, char *why, size_t whylen);
/* Writes the record through a temp file and a rename; durable adds the fsyncs. */
int rb_state_save(const char *path, const struct rb_state *s, bool durable);
/* -ENOENT when there is none; -EINVAL (reason in why) when it is unusable. */
int rb_state_load(const char *path, struct rb_state *s, char *why, size_t whylen);

/* ---- The engine over device operations ---- */
/* Called with the number of bytes of the current request delivered so far; a negative return
 * stops the read with that code (Ctrl-C). */
typedef int (*rb_data_fn)(void *ctx, uint32_t done);

struct rb_dev_ops {
	/* Waits up to timeout_ms (< 0: forever) for the watch (cancellable through the opts'
	 * `cancelled`), handshakes, identifies, stops the watchdog, keeps power on, maps the
	 * flash and, unless BROM-only, starts the agent. */
	int (*connect)(void *dev, int timeout_ms, struct brom_id *id);
	/* JEDEC ID and sizes; -ENOTSUP without the agent. */
	int (*flash_info)(void *dev, struct da_flash_info *fi);
	/* Reads [off, off+len) into buf, integrity-checked on the way (agent: per-packet CRC with
	 * bounded re-requests; BROM-only: every block read twice and compared). */
	int (*read)(void *dev, uint32_t off, uint32_t len, uint8_t *buf, rb_data_fn on_data,
		    void *cb_ctx);
	/* CRC-32 of [off, off+len) computed on the watch; -ENOTSUP without the agent. */
	int (*crc32)(void *dev, uint32_t off, uint32_t len, uint32_t *crc);
	/* Before closing: after a good read (done) the watch is reset unless opts.no_reboot;
	 * after a failure only a running agent is reset (a rerun then finds the boot ROM again
	 * once the watch is reconnected with the boot key); the boot ROM is left as it is. */
	void (*finish)(void *dev, bool done);
	/* Releases the port (after a failure or at the end). */
	void (*close)(void *dev);
	/* What the last failure was, in words ("" if nothing to add). */
	const char *(*detail)(void *dev);
	/* Bad packets the agent layer re-requested so far (all connections); may be NULL. */
	unsigned (*packet_retries)(void *dev);
	/* Why the device switched to the boot ROM alone during this run, NULL if it did not;
	 * may be NULL. */
	const char *(*fallback)(void *dev);
	/* True when the last error is final (the agent failed and --no-fallback forbids the boot
	 * ROM path): no reconnect wait; may be NULL. */
	bool (*gave_up)(void *dev);
	/* Link statistics of the agent's READs so far (all connections); may be NULL. */
	void (*wire)(void *dev, struct readback_wire *w);
};

#define RB_DEFAULT_CHUNK      (1024u * 1024u)
#define RB_DEFAULT_RECONNECTS 10
#define RB_CHUNK_RETRIES      3 /* re-reads of one chunk whose CRC does not match */
#define RB_VERIFY_REPAIRS     2 /* repair rounds when the whole-image CRC does not match */
/* The dead man's switch: the watchdog armed before D5 resets a dead agent's watch after this
 * long without a kick; the host then waits this much longer for the boot ROM to come back. */
#define RB_AGENT_WDT_MS	     5000
#define RB_FALLBACK_GRACE_MS 10000

int rb_engine_run(const struct readback_opts *o, const struct rb_dev_ops *ops, void *dev,
		  struct readback_result *r);

/* ---- The real device (port + brom + da) ---- */
struct rb_real_dev;
struct rb_real_dev *rb_real_dev_new(const struct readback_opts *o);
void rb_real_dev_free(struct rb_real_dev *d);
extern const struct rb_dev_ops rb_real_dev_ops;

#endif
