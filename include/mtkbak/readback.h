/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Full-flash readback (`mtkbak read`, and the read step of `mtkbak pull`): size decision,
 * verified packet loop, FILE.part + progress record, resume after a cable drop or a rerun.
 *
 * readback_run() talks to the watch through port_open / brom_* / da_* and never erases or
 * writes the watch's flash. It only prints through the callbacks in struct readback_opts.
 *
 * Integrity: every packet is CRC-checked (bad ones re-requested); BROM-only reads every block
 * twice. At the end the CRC-32 of FILE.part as it is on disk must equal the CRC-32 the agent
 * computes on the watch over the whole range (1 MiB pieces that differ are read again, bounded);
 * only then is the read good.
 *
 * Output: the image goes to FILE.part, a small progress record to FILE.part.state (text; the
 * watch's ME ID, size, JEDEC ID and how much of FILE.part is read, with its CRC-32). On success
 * the record is removed and FILE.part is fsynced and renamed to FILE. On any failure (Ctrl-C,
 * cable drop that does not come back, crash) both stay, and running the same command again
 * continues where it stopped when the record matches the same watch and FILE.part still
 * matches the record's CRC-32. */
#ifndef MTKBAK_READBACK_H
#define MTKBAK_READBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"
#include "mtkbak/log.h"
#include "mtkbak/port.h"
#include "mtkbak/transport.h"

/* 24-bit serial NOR addressing: the largest flash readback can reach. */
#define READBACK_MAX_SIZE (16u * 1024u * 1024u)

struct readback_progress {
	uint64_t done;	/* bytes of the image read so far (verified + in flight) */
	uint64_t total; /* image size */
};

struct readback_opts {
	const char *out_path; /* FILE; data goes to FILE.part until verified */
	bool force;	      /* overwrite an existing FILE */
	uint32_t length;      /* 0 = auto; else the size to read (multiple of 4, <= 16 MiB) */
	bool no_da;	      /* BROM-only read (READ32), no agent upload */
	bool no_compress;     /* --compress off: plain agent READ (default: compressed READ
				 where the agent offers it and it pays, doc/reading.md) */
	bool no_reboot;	      /* leave the watch in boot-ROM mode at the end */
	/* Without it (the default), an agent that is refused, never says hello or goes silent
	 * mid-read costs seconds, not the backup: the watchdog armed before D5 resets the watch
	 * into the boot ROM, and the same read continues through the boot ROM alone from what
	 * is already verified. no_fallback: stop with the agent's error instead. */
	bool no_fallback;
	struct port_env *env; /* keeps the port backend (and simulated watches) across reconnects */
	const struct port_spec *port;
	struct mtk_transport *tp; /* optional: an already open port for the first connection
				     (e.g. from `pull` after identify); readback_run closes it */
	int open_timeout_ms;	  /* first wait for the watch (< 0: forever, 0: look once) */
	int reconnect_timeout_ms; /* wait for the watch to come back after a cable drop */
	unsigned max_reconnects;  /* cable drops survived per run (0: default 10) */
	unsigned chunk_size;	  /* resume and repair granularity (0: default 1 MiB) */
	const struct mtk_log *log;
	/* One line per state change ("Loading the agent", "Reading 4.0 MiB", ...). */
	void (*state)(void *ctx, const char *msg);
	/* Something the user should know but that does not stop the read (size disagreement...). */
	void (*warn)(void *ctx, const char *msg);
	void (*progress)(void *ctx, const struct readback_progress *p);
	int (*cancelled)(void *ctx); /* non-zero: stop with -EINTR, keeping FILE.part for resume */
	void *cb_ctx;
};

/* Which evidence decided the size. */
enum readback_size_source {
	READBACK_SIZE_USER = 0, /* --length */
	READBACK_SIZE_JEDEC,	/* JEDEC capacity byte, confirmed or not contradicted */
	READBACK_SIZE_SFDP,	/* SFDP density (JEDEC implausible or contradicted) */
	READBACK_SIZE_MIRROR,	/* the mirror test (data repeats every N bytes / no repeat) */
	READBACK_SIZE_FIRMWARE	/* the firmware's CMEM_NOR_INFO / CMEM_ID_INFO tables */
};

struct readback_result {
	uint32_t size;
	enum readback_size_source size_source;
	char size_evidence[320]; /* which evidence decided the size, for the user */
	bool size_conflict;	 /* evidence disagreed (a warning was given) */
	bool have_jedec;
	uint8_t jedec[3];
	uint32_t jedec_size, sfdp_size; /* 0 = unknown */
	uint32_t mirror_size;	 /* smallest repeat period found, 0 = none / not conclusive */
	uint32_t firmware_size;	 /* from the firmware's CMEM tables, 0 = not found */
	uint32_t crc32;		 /* CRC-32 (zlib) of the image */
	bool device_crc_checked; /* compared with the CRC-32 the agent computed on the watch */
	uint8_t sha256[32];
	struct brom_id id;
	double seconds;	     /* this run, connection to verified file */
	double read_seconds; /* this run, the data transfer only */
	uint64_t
	    bytes_transferred;	 /* flash bytes moved over the link this run (re-reads included) */
	unsigned retries;	 /* chunks read again (CRC mismatch, bad packets) */
	unsigned packet_retries; /* bad packets the agent layer re-requested */
	unsigned reconnects;	 /* cable drops survived */
	struct readback_wire {
		/* what crossed the link for the agent's READ data (0 on the BROM-only path) */
		uint64_t wire_bytes;
		uint64_t kind_bytes[3];	     /* flash bytes sent raw / as erased marker / as LZ4 */
		unsigned zchunks, rawchunks; /* chunks read compressed / plain */
		bool offered;		     /* the agent offers the compressed READ */
	} wire;
	/* "auto" (the compressed READ was used), "off" (--compress off), "boot-rom" (the BROM-only
	 * path cannot compress), "agent" (the running agent does not offer it) */
	const char *compress;
	bool resumed;
	uint32_t resumed_from;	   /* offset the run continued from */
	bool fell_back;		   /* switched to the boot ROM alone (agent refused, dead...) */
	char fallback_reason[256]; /* why, in words */
	char out_path[MTK_PATH_MAX];
	/* On failure: what was going on, for "mtkbak: error: <context>: <error>". */
	char error_context[256];
	uint32_t verified; /* on failure: bytes kept in FILE.part for a rerun */
};

/* Fills defaults: auto length, 60 s reconnect wait, 10 reconnects, 1 MiB chunks. */
void readback_opts_default(struct readback_opts *o);

/* Parses --length: "auto" (0), "4M", "8M", "16M", "512K", "0x400000", "4194304".
 * -EINVAL (with the reason in err) unless 0 < n <= 16 MiB and a multiple of 4. */
int readback_parse_length(const char *text, uint32_t *out, char *err, size_t errlen);

/* Connects, sizes, reads, verifies and writes FILE. 0 or a negative code (errors.h):
 * -EEXIST FILE exists without force; -ENODEV no watch; -EPERM secure part (agent refused);
 * -ETIMEDOUT the watch stopped answering / did not come back in time (FILE.part kept);
 * -EBADMSG verification failed; -EINTR cancelled (FILE.part kept); file errors. */
int readback_run(const struct readback_opts *o, struct readback_result *r);

/* The ME ID an unfinished read's progress record (FILE.part.state) was made on: 0, -ENOENT
 * (none), or -EINVAL (not a usable record). */
int readback_state_me_id(const char *state_path, uint8_t me_id[16]);

/* The progress record's name for FILE ("FILE.part.state"); -ENAMETOOLONG. */
int readback_state_path(const char *out_path, char *state_path, size_t len);

#endif
