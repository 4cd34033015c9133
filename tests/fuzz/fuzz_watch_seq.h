/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host's side of a read, as fuzz_watch runs it over the fuzzer's bytes and
 * fuzz_watch_seed runs it against the simulated watch to record a real transcript. */
#ifndef MTKBAK_FUZZ_WATCH_SEQ_H
#define MTKBAK_FUZZ_WATCH_SEQ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/da.h"

#define FUZZ_READ_OFF 0x1000u
#define FUZZ_READ_LEN 0x3000u

typedef int (*fuzz_sink_fn)(void *ctx, uint32_t off, const uint8_t *d, size_t len);

/* FUZZ_WATCH_DEBUG=1: say how far the sequence got (to check a seed reaches the end) */
static inline int fuzz_step(const char *what, int ret)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("FUZZ_WATCH_DEBUG") != NULL;
	if (debug)
		fprintf(stderr, "fuzz_watch: %s: %d\n", what, ret);
	return ret;
}

static inline void fuzz_watch_seq(struct mtk_transport *tp, int timeout_ms, fuzz_sink_fn sink,
				  void *ctx)
{
	struct brom b;
	struct brom_id id;
	struct da d;
	struct da_flash_info fi;
	const struct chip_info *chip;
	uint32_t crc;
	uint8_t sfdp[64];

	brom_init(&b, tp, NULL);
	b.timeout_ms = timeout_ms;
	if (fuzz_step("handshake", brom_handshake(&b, timeout_ms)) < 0)
		return;
	memset(&id, 0, sizeof(id));
	fuzz_step(
	    "identify",
	    brom_identify(&b, &id)); /* whatever it says, go on: the agent part is fuzzed too */
	chip = id.chip ? id.chip : chip_find(0x6261);
	if (!chip)
		return;
	memset(&d, 0, sizeof(d));
	if (fuzz_step("agent start", da_start(&d, &b, chip)) < 0)
		return;
	d.timeout_ms = timeout_ms;
	fuzz_step("flash info", da_flash_info(&d, &fi));
	fuzz_step("sfdp", da_read_sfdp(&d, 0, sfdp, sizeof(sfdp)));
	fuzz_step("read", da_read(&d, FUZZ_READ_OFF, FUZZ_READ_LEN, sink, ctx));
	fuzz_step("crc32", da_crc32(&d, 0, 0x10000, &crc));
}

#endif
