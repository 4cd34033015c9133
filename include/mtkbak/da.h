/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host side of mtkbak's own download agent (wire format: src/da/agent/core/protocol.h,
 * shared with the agent and the simulator; reference: doc/agent.md).
 *
 * Typical use (after brom_identify, brom_disable_watchdog and brom_keep_alive):
 *   struct da d;
 *   da_start(&d, brom, chip);              upload + jump, or reuse an agent already running
 *   da_flash_info(&d, &fi);                JEDEC ID, SFDP density
 *   da_read(&d, off, len, sink, ctx);      CRC-checked stream, bad packets re-requested
 *   da_crc32(&d, 0, size, &crc);           device-side CRC-32 of any range
 *   da_reboot(&d);                         watchdog reset
 * The boot ROM functions (brom_read32 ...) keep working while the agent runs.
 * Every call has a deadline; errors follow errors.h. */
#ifndef MTKBAK_DA_H
#define MTKBAK_DA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"

/* The embedded agent image (generated from src/da/agent/mtkbak-agent.bin). */
extern const uint8_t mtkbak_agent_blob[];
extern const size_t mtkbak_agent_blob_len;

#define DA_DEFAULT_TIMEOUT_MS 3000
#define DA_HELLO_TIMEOUT_MS   3000	      /* from D5 to the agent's hello */
#define DA_DEFAULT_PACKET     4096u	      /* READ payload per packet */
#define DA_DEFAULT_CHUNK      (1024u * 1024u) /* bytes per READ command */
#define DA_DEFAULT_RETRIES    5u	      /* passes over bad packets per chunk */

/* Compressed READ (doc/agent.md section 3.4): off, or auto (when the agent offers it, each
 * chunk is read compressed while that pays; see da_read). */
enum da_compress {
	DA_COMPRESS_OFF = 0,
	DA_COMPRESS_AUTO = 1,
};

struct da {
	struct brom *brom;
	const struct mtk_log *log;
	uint32_t version;	   /* agent protocol version from its hello */
	uint16_t flags;		   /* hello flags (AGENT_HELLO_F_*) */
	uint32_t max_packet;	   /* the agent's limit, from its hello */
	int timeout_ms;		   /* deadline for each reply */
	uint32_t packet_size;	   /* READ payload per packet (clamped to max_packet) */
	uint32_t chunk_size;	   /* bytes per READ command: bounds what a resync must drain */
	unsigned max_retries;	   /* re-request passes per chunk before giving up */
	enum da_compress compress; /* default DA_COMPRESS_AUTO */
	bool reused;		   /* da_start found an agent already running */
	uint16_t last_status;	   /* last error status from the agent (0x2Dxx), 0 if none */
	char detail[256];	   /* what the last failure was, in words ("" after success) */
	bool jumped;		   /* D5 went out: the boot ROM is no longer in charge */
	bool wdt_armed;		   /* da_start_wdt armed the dead man's switch before D5 */
	int64_t last_rx_ms;	   /* when the last byte from the watch arrived (monotonic ms) */
	/* statistics, cumulative */
	unsigned retries;    /* packets re-requested */
	unsigned resyncs;    /* times the link was re-synchronised */
	uint64_t bytes_read; /* good payload bytes handed to sinks */
	uint64_t wire_bytes; /* bytes of READ replies received (what crossed the link) */
	uint64_t zbytes[3];  /* good payload bytes per compressed-READ packet kind (AGENT_ZK_*) */
	unsigned zchunks;    /* chunks read with the compressed READ */
	unsigned rawchunks;  /* chunks read with the plain READ */
};

/* true when the running agent offers the compressed READ (hello flag) */
bool da_can_compress(const struct da *d);

struct da_flash_info {
	uint8_t jedec[3];
	uint32_t jedec_size; /* 2^capacity byte, 0 if implausible */
	uint32_t sfdp_size;  /* from SFDP density, 0 if no SFDP */
	bool has_sfdp;
	uint8_t sfdp_major, sfdp_minor;
};

/* What the image header says (AGENT_IMG_* in protocol.h). */
struct da_blob_info {
	uint32_t version;
	uint32_t size;	    /* bytes in the file */
	uint32_t footprint; /* RAM needed from the load address, stack included */
};

/* Checks an agent image: 0, or -EINVAL (not an mtkbak agent / inconsistent sizes). */
int da_blob_parse(const uint8_t *blob, size_t len, struct da_blob_info *out);

/* Defaults for every field; no I/O. */
void da_init(struct da *d, struct brom *b);

/* Uploads the embedded agent with D7 to chip->agent_load_addr, starts it with D5 and waits for
 * its hello. If an agent from an earlier run still answers, it is reused (d->reused).
 * -EPERM for a secure part (D7 BROM_ST_SECURE), -ETIMEDOUT when no hello comes, -EINVAL when the
 * image does not fit the chip's agent window. */
int da_start(struct da *d, struct brom *b, const struct chip_info *chip);
int da_start_blob(struct da *d, struct brom *b, const struct chip_info *chip, const uint8_t *blob,
		  size_t len);
/* da_start with a dead man's switch: after the upload and before D5 the watchdog is armed to
 * reset the watch after wdt_ms unless the agent kicks it (it does while it runs). A failure
 * to arm it is not fatal (d->wdt_armed stays false). */
int da_start_wdt(struct da *d, struct brom *b, const struct chip_info *chip, int wdt_ms);
/* For an agent that is already running (and just sent its hello, or will answer PING). */
int da_wait_hello(struct da *d, int timeout_ms);
int da_ping(struct da *d);
/* Without changing anything: 1 when an mtkbak agent answers on b (a previous run left it
 * running; the boot ROM commands E1/D8 of brom_identify are then not available), 0 when it
 * is the boot ROM (which only echoes the probe), or a negative code. */
int da_probe(struct brom *b, int timeout_ms);

int da_flash_info(struct da *d, struct da_flash_info *fi);
int da_read_sfdp(struct da *d, uint32_t addr, uint8_t *buf, uint32_t len);

/* Streams [off, off+len) in CRC-checked packets, one READ command per chunk. A bad packet is
 * re-requested (bounded: d->max_retries passes, then -EBADMSG). The sink sees every byte
 * exactly once, in increasing order, only after its CRC matched; it returns 0 or a negative
 * code to stop (passed through). off + len must stay inside the 16 MiB flash window. */
typedef int (*da_sink_fn)(void *ctx, uint32_t off, const uint8_t *data, size_t len);
int da_read(struct da *d, uint32_t off, uint32_t len, da_sink_fn sink, void *ctx);

/* CRC-32/ISO-HDLC (zlib's) of [off, off+len) computed on the device. */
int da_crc32(struct da *d, uint32_t off, uint32_t len, uint32_t *crc);
/* The same CRC on the host side (chainable: crc = da_crc32_update(crc, ...), start at 0). */
uint32_t da_crc32_update(uint32_t crc, const uint8_t *data, size_t len);

/* Asks the agent to reset the watch (watchdog); the device then leaves the bus. */
int da_reboot(struct da *d);

/* ---- the write path (src/da/da_write.c; only `mtkbak restore` calls these) ---- */
/* Opens (true) or closes the agent's write session; outside it every write is refused. */
int da_write_session(struct da *d, bool open);
/* CRC-32 of each 4 KiB sector of [off, off + count * 4096) into crcs[count], read through
 * the memory window, or (via_sfc) through the serial flash controller, which no cache can
 * make stale. off must be 4 KiB aligned. */
int da_sector_crcs(struct da *d, uint32_t off, uint32_t count, bool via_sfc, uint32_t *crcs);
/* Erase with opcode op (0x20/0x52/0xD8: 4/32/64 KiB, addr aligned to it); the agent polls
 * the busy bit for at most max_ms. *sr1 (may be NULL): status register 1 afterwards. */
int da_erase(struct da *d, uint8_t op, uint32_t addr, uint32_t max_ms, uint8_t *sr1);
/* Programs data[0:len] (<= 4 KiB, inside one sector) in page-safe pieces, each waited for
 * at most page_ms; *crc_sfc: the CRC-32 of the range read back through the controller. */
int da_program(struct da *d, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t page_ms,
	       uint32_t *crc_sfc);
/* Status registers 1 and 2. */
int da_status_regs(struct da *d, uint8_t sr[2]);
/* Writes status register 1 (nregs 1) or 1 and 2 (nregs 2); out[2] (may be NULL): both as
 * read back afterwards. */
int da_write_status(struct da *d, uint8_t sr1, uint8_t sr2, int nregs, uint32_t max_ms,
		    uint8_t out[2]);

/* A human name for an agent status (0x2D02 -> "range outside the flash window"). */
const char *da_status_text(uint16_t status);

#endif
