/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers around the simulated watch: images, a sim + transport + struct brom in one. */
#ifndef MTKBAK_TESTS_SIMLIB_H
#define MTKBAK_TESTS_SIMLIB_H

#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"
#include "mtkbak/sim.h"
#include "mtkbak/transport.h"

struct simlib {
	struct sim_watch *w;
	struct mtk_transport *tp;
	struct brom b;
	uint8_t *image;
	size_t image_len;
};

/* A deterministic flash image: "SF_BOOT" then a pattern derived from seed. Caller frees. */
uint8_t *simlib_image(size_t len, uint32_t seed);
/* A watch on an image of image_len bytes with sim options `opts` ("" for defaults), a
 * transport and b ready (not yet handshaken). 0 or a negative code. */
int simlib_open(struct simlib *s, const char *opts, size_t image_len);
/* simlib_open + handshake. */
int simlib_open_synced(struct simlib *s, const char *opts, size_t image_len);
/* A fresh transport after the watch re-enumerated (waits up to timeout_ms for it). */
int simlib_reopen(struct simlib *s, int timeout_ms);
void simlib_close(struct simlib *s);

/* A port env with the simulated watch registered as a backend (--port sim:...), as the CLI
 * makes it. NULL when out of memory. */
struct port_env *test_port_env(void);

/* Raw exchange: sends tx, then reads exactly rxlen bytes (timeout_ms overall). */
int simlib_xfer(struct simlib *s, const uint8_t *tx, size_t txlen, uint8_t *rx, size_t rxlen,
		int timeout_ms);

#endif
