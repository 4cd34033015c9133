/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An in-memory watch for the readback engine's unit tests: a flash image that aliases like a
 * 24-bit SPI NOR, an optional agent (JEDEC ID, SFDP, device-side CRC-32), and faults. */
#ifndef MTKBAK_TEST_READBACK_FAKE_H
#define MTKBAK_TEST_READBACK_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "readback/rb_internal.h"

struct rb_fake {
	const uint8_t *flash;
	uint32_t flash_len; /* real chip size (power of two) */
	bool agent;	    /* flash_info and crc32 work */
	uint8_t jedec[3];
	uint32_t sfdp_size;
	uint8_t me_id[16];
	uint8_t me_id_after_reconnect[16];
	bool me_id_changes; /* a different watch comes back */

	/* faults */
	uint64_t disconnect_at;	   /* a read crossing this many served bytes fails with -ENODEV */
	uint64_t disconnect_every; /* ... and again each time this many more bytes were served */
	unsigned absent_connects;  /* connects that fail with -ENODEV after a disconnect */
	bool never_back;	   /* after a disconnect every connect fails with -ENODEV */
	uint32_t corrupt_at;	   /* reads covering this offset return it with a bit flipped ... */
	unsigned corrupt_times;	   /* ... this many times (0 = never) */
	uint32_t badmsg_at;	   /* reads covering this offset fail with -EBADMSG ... */
	unsigned badmsg_times; /* ... this many times (bad packets beyond the agent's retries) */
	uint64_t cancel_at;    /* cancelled() turns true once this many bytes were served */
	int connect_error;     /* the first connect fails with this */
	bool spi_fail;	       /* flash_info answers -EREMOTEIO (agent status 0x2D04) */

	/* counters */
	unsigned connects, reads, closes, finishes, aborts, crcs;
	uint64_t served;
	bool connected, disconnected;
};

extern const struct rb_dev_ops rb_fake_ops;
/* For readback_opts.cancelled (ctx = the fake). */
int rb_fake_cancelled(void *ctx);

/* Deterministic pseudo-random bytes. */
void rb_fake_fill(uint8_t *buf, size_t len, uint32_t seed);

#endif
