/* Full-flash readback: size decision, verified packet loop, .part + progress record, resume.
 * Owned by the readback work; signatures may grow. */
#ifndef MTKBAK_READBACK_H
#define MTKBAK_READBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "mtkbak/brom.h"
#include "mtkbak/log.h"
#include "mtkbak/port.h"

struct readback_progress {
	uint64_t done, total;
};

struct readback_opts {
	const char *out_path;        /* FILE; data goes to FILE.part until verified */
	bool force;                  /* overwrite an existing FILE */
	uint32_t length;             /* 0 = auto */
	bool no_da;                  /* BROM-only read */
	struct port_env *env;        /* to reconnect after a cable drop */
	const struct port_spec *port;
	int reconnect_timeout_ms;    /* how long to wait for the watch to come back */
	const struct mtk_log *log;
	/* Called on state changes ("Loading the agent", "Reading", ...) and progress. */
	void (*state)(void *ctx, const char *msg);
	void (*progress)(void *ctx, const struct readback_progress *p);
	int (*cancelled)(void *ctx); /* non-zero: stop with -EINTR, keeping the .part */
	void *cb_ctx;
};

struct readback_result {
	uint32_t size;
	char size_evidence[160];     /* which evidence decided the size */
	uint8_t jedec[3];
	uint32_t crc32;
	uint8_t sha256[32];
	struct brom_id id;
	double seconds;
	unsigned retries, reconnects;
	bool resumed;
};

int readback_run(const struct readback_opts *o, struct readback_result *r);

#endif
