/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From "--port SPEC" to a boot ROM ready for commands, and back after a cable drop. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mtkbak/brom.h"
#include "mtkbak/errors.h"
#include "mtkbak/clock.h"

#define MAX_REENUMERATIONS 20

void brom_disconnect(struct brom *b)
{
	if (b->tp)
		mtk_tp_close(b->tp);
	b->tp = NULL;
}

static int prepare(struct brom *b, const struct brom_connect_opts *opts, struct brom_id *id)
{
	int ret = brom_identify(b, id);

	if (ret < 0)
		return ret;
	if (!id->chip) {
		if (opts->allow_unknown)
			return 0;
		snprintf(b->detail, sizeof(b->detail),
			 "unknown chip: hw code 0x%04X (hw ver 0x%04X); mtkbak knows MT6261, "
			 "MT2502, MT2503, MT6260 and MT6250",
			 id->hw_code, id->hw_ver);
		return -ENOTSUP;
	}
	if (!opts->no_watchdog && (ret = brom_disable_watchdog(b, id->chip)) < 0)
		return ret;
	if (!opts->no_keepalive && (ret = brom_keep_alive_id(b, id)) < 0)
		return ret;
	return 0;
}

int brom_connect(struct brom *b, struct port_env *env, const struct port_spec *spec,
		 const struct port_wait *wait, const struct brom_connect_opts *opts,
		 struct brom_id *id, const struct mtk_log *log)
{
	const struct brom_connect_opts defaults = {0};
	struct port_wait w = wait ? *wait : (struct port_wait){0};
	int64_t start = mtk_now_ms();
	int ret;

	if (!opts)
		opts = &defaults;
	brom_init(b, NULL, log);
	for (int attempt = 0;; attempt++) {
		struct port_wait left = w;
		struct mtk_transport *tp;

		if (w.timeout_ms > 0) {
			int64_t rest = w.timeout_ms - (mtk_now_ms() - start);

			left.timeout_ms = rest > 0 ? (int)rest : 0;
		}
		ret = port_open(env, spec, &left, &tp);
		if (ret < 0) {
			snprintf(b->detail, sizeof(b->detail), "%s", port_env_last_error(env));
			return ret;
		}
		b->tp = tp;
		mtk_logf(log, MTK_LOG_INFO, "connected to %s", tp->name);
		ret = brom_handshake(b, opts->handshake_ms > 0 ? opts->handshake_ms : 2000);
		/* the watch left the bus during the handshake (its enumeration window ran out):
		 * it comes back by itself, so wait for it again */
		if (ret == -ENODEV && attempt < MAX_REENUMERATIONS && w.timeout_ms != 0 &&
		    (w.timeout_ms < 0 || mtk_now_ms() - start < w.timeout_ms)) {
			mtk_logf(log, MTK_LOG_INFO, "the watch re-enumerated during the handshake");
			brom_disconnect(b);
			continue;
		}
		if (ret == 0)
			ret = prepare(b, opts, id);
		if (ret < 0) {
			brom_disconnect(b);
			return ret;
		}
		return 0;
	}
}
