/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mask boot ROM's download protocol (doc/brom-protocol.md sections 2-4).
 * Big-endian on the wire; every parameter is echoed and checked; status words checked.
 * Every function returns 0 or a negative code (see errors.h). When the BROM answers with an
 * error status the function returns -EREMOTEIO (-EPERM for BROM_ST_SECURE) and keeps the status in
 * b->last_status for the message. b->detail always says what went wrong in words
 * ("no answer to the handshake byte A0", "wrong echo of D1's address: ..."). */
#ifndef MTKBAK_BROM_H
#define MTKBAK_BROM_H

#include <stdbool.h>
#include <stdint.h>

#include "mtkbak/brom_wire.h"
#include "mtkbak/chip.h"
#include "mtkbak/log.h"
#include "mtkbak/port.h"
#include "mtkbak/transport.h"

struct brom {
	struct mtk_transport *tp;
	const struct mtk_log *log;
	int timeout_ms;	      /* deadline for each reply (default 1000) */
	uint16_t last_status; /* last error status from the device (0x1Dxx), 0 if none */
	/* extensions */
	char detail[256];	 /* what the last failure was, in words ("" after success) */
	int handshake_byte_ms;	 /* wait for each handshake reply (default 100) */
	bool already_synced;	 /* the last handshake found the ROM already in command mode */
	uint16_t wdt_mode_saved; /* watchdog mode before brom_disable_watchdog */
	bool wdt_mode_saved_valid;
	bool keepalive_skipped; /* brom_keep_alive_id wrote nothing: the part is not an MT6261 */
};

void brom_init(struct brom *b, struct mtk_transport *tp, const struct mtk_log *log);

/* A0 0A 50 05 -> 5F F5 AF FA, per byte; restarts on byte+1 or garbage; an A0 echo means the
 * BROM is already synced. Gives up after deadline_ms. */
int brom_handshake(struct brom *b, int deadline_ms);

int brom_get_version(struct brom *b, uint8_t *ver);				      /* FF */
int brom_get_bl_version(struct brom *b, uint8_t *ver);				      /* FE */
int brom_legacy_read16(struct brom *b, uint32_t addr, uint16_t *out, uint32_t count); /* A2 */
int brom_read16(struct brom *b, uint32_t addr, uint16_t *out, uint32_t count);	      /* D0 */
/* D1: values as the CPU reads them (the wire sends each MSB first). */
int brom_read32(struct brom *b, uint32_t addr, uint32_t *out, uint32_t count);
int brom_write16(struct brom *b, uint32_t addr, const uint16_t *v, uint32_t count);	   /* D2 */
int brom_write16_noecho(struct brom *b, uint32_t addr, const uint16_t *v, uint32_t count); /* D3 */
int brom_write32(struct brom *b, uint32_t addr, const uint32_t *v, uint32_t count);	   /* D4 */
int brom_jump_da(struct brom *b, uint32_t addr);					   /* D5 */
/* D7: uploads data, checks the returned XOR-16 checksum against our own (-EBADMSG if it
 * differs: the upload was damaged on the way). */
int brom_send_da(struct brom *b, uint32_t addr, const uint8_t *data, uint32_t len,
		 uint32_t sig_len);
int brom_get_target_config(struct brom *b, uint32_t *cfg); /* D8 */
int brom_get_me_id(struct brom *b, uint8_t me_id[16]);	   /* E1 */
int brom_set_uart_baud(struct brom *b, uint32_t baud);	   /* DC */

/* XOR of little-endian 16-bit words (odd tail byte XORed in), as D7 computes it. */
uint16_t brom_checksum(const uint8_t *data, uint32_t len);

/* Target config bits (D8): BROM_CFG_SBC/SLA/DAA in mtkbak/brom_wire.h */

struct brom_id {
	uint8_t brom_version;			      /* FF reply, 5 */
	uint16_t hw_ver, sw_ver, hw_code, hw_subcode; /* 0x80000000..0x8000000C */
	uint32_t efuse_swver; /* 0xA01C0108 (0 when the chip table has no efuse register) */
	uint8_t me_id[16];
	uint32_t target_config;	      /* D8 */
	bool secure;		      /* target config says SLA/DAA */
	const struct chip_info *chip; /* NULL if the hw code is unknown */
	const char *variant;	      /* "MT2503" from the efuse word, NULL if unknown */
};
/* A2 reads of the ID block, FF, E1, the efuse word (D1) and D8. Unknown hw codes are not an
 * error: id->chip is NULL. */
int brom_identify(struct brom *b, struct brom_id *id);

/* Saves the watchdog mode (for brom_rearm_watchdog), then stops the watchdog. */
int brom_disable_watchdog(struct brom *b, const struct chip_info *c);
/* Arms the watchdog again (saved mode + enable bit) and kicks it: the watch leaves boot-ROM
 * mode by itself later, as if nothing had happened. */
int brom_rearm_watchdog(struct brom *b, const struct chip_info *c);
int brom_keep_alive(struct brom *b, const struct chip_info *c);
/* The keep-alive writes for this part (chip_keepalive: none on MT2503/MT2503DV, and then
 * b->keepalive_skipped is set so the caller can warn that a long read may power off). */
int brom_keep_alive_id(struct brom *b, const struct brom_id *id);
/* Dead man's switch: arms the watchdog to reset the watch after timeout_ms (rounded to
 * 15.625 ms, at most 32 s) unless something kicks it (LENGTH, MODE enable, RESTART). */
int brom_arm_watchdog(struct brom *b, const struct chip_info *c, int timeout_ms);
/* Maps the serial flash at c->flash_window (remap register), checked by reading it back. */
int brom_remap_flash(struct brom *b, const struct chip_info *c);
/* Watchdog software reset. The watch resets before it can answer the last bytes, so a
 * missing answer after the value was sent counts as success. */
int brom_reboot(struct brom *b, const struct chip_info *c);

/* A human name for a BROM status (BROM_ST_SECURE -> "secure part: signed code required"). */
const char *brom_status_text(uint16_t status);

/* ---- connecting (src/brom/connect.c) ---- */

struct brom_connect_opts {
	int handshake_ms;   /* whole handshake deadline (default 2000 when 0) */
	bool no_watchdog;   /* do not touch the watchdog */
	bool no_keepalive;  /* do not write the keep-alive registers */
	bool allow_unknown; /* go on with an unknown hw code (else -ENOTSUP) */
};

/* Waits for the watch (port_open with `wait`), handshakes, identifies it, disables the
 * watchdog and writes the keep-alive registers: the watch is then ready for commands.
 * A watch that drops off the bus during the handshake (its enumeration window ran out) is
 * waited for again within the same wait. On success b->tp is open (close it with
 * brom_disconnect); on failure nothing stays open and b->detail says what happened. */
int brom_connect(struct brom *b, struct port_env *env, const struct port_spec *spec,
		 const struct port_wait *wait, const struct brom_connect_opts *opts,
		 struct brom_id *id, const struct mtk_log *log);
void brom_disconnect(struct brom *b);

#endif
