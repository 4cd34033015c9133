/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sim:IMAGE,opt=val,... option parsing (see include/mtkbak/sim.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "mtkbak/errors.h"
#include "mtkbak/sim.h"
#include "sim_internal.h"

void sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hw_code = 0x6261;
	o->stall_ms = 5000;
	o->replug_ms = -1;
	o->seed = 1;
	o->image_size = 4u * 1024u * 1024u; /* sim:demo: a typical MT6261 watch */
	o->fail_status = 0x1D02;
	o->nor_speed = 1;
	o->nor_bad = -1;
	o->nor_stuck = -1;
}

/* Decimal or 0x-hex, with an optional K/M suffix (powers of 1024). */
static int parse_num(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (!*v || *v == '-' || isspace((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k') {
		n *= 1024ull;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		n *= 1024ull * 1024ull;
		end++;
	}
	if (*end || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static int parse_hex_bytes(const char *v, uint8_t *out, size_t n)
{
	if (strlen(v) != n * 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char b[3] = {v[2 * i], v[2 * i + 1], 0};
		char *end;

		if (!isxdigit((unsigned char)b[0]) || !isxdigit((unsigned char)b[1]))
			return -EINVAL;
		out[i] = (uint8_t)strtoul(b, &end, 16);
	}
	return 0;
}

static int one_opt(struct sim_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
	uint64_t n = 0;
	const uint64_t ms_max = 3600000;

#define NEED_NUM(max)                                                                              \
	do {                                                                                       \
		if (!val || parse_num(val, (max), &n) < 0) {                                       \
			snprintf(err, errlen, "sim option %s needs a number%s", key,               \
				 (max) == ms_max ? " of milliseconds" : "");                       \
			return -EINVAL;                                                            \
		}                                                                                  \
	} while (0)

	if (!strcmp(key, "chip")) {
		if (val && (!strcmp(val, "mt6261") || !strcmp(val, "MT6261"))) {
			o->hw_code = 0x6261;
		} else if (val && (!strcmp(val, "mt6260") || !strcmp(val, "MT6260"))) {
			o->hw_code = 0x6260;
		} else if (val && (!strcmp(val, "mt6250") || !strcmp(val, "MT6250"))) {
			o->hw_code = 0x6250;
		} else {
			snprintf(err, errlen, "sim option chip must be mt6261, mt6260 or mt6250");
			return -EINVAL;
		}
	} else if (!strcmp(key, "jedec")) {
		if (!val || parse_hex_bytes(val, o->jedec, 3) < 0) {
			snprintf(err, errlen,
				 "sim option jedec needs 6 hex digits, e.g. jedec=C84017");
			return -EINVAL;
		}
		o->jedec_set = true;
	} else if (!strcmp(key, "meid")) {
		if (!val || parse_hex_bytes(val, o->me_id, 16) < 0) {
			snprintf(err, errlen, "sim option meid needs 32 hex digits");
			return -EINVAL;
		}
		o->me_id_set = true;
	} else if (!strcmp(key, "secure")) {
		if (val && strcmp(val, "1") && strcmp(val, "0")) {
			snprintf(err, errlen, "sim option secure takes no value (or 0/1)");
			return -EINVAL;
		}
		o->secure = !val || !strcmp(val, "1");
	} else if (!strcmp(key, "window")) {
		NEED_NUM(ms_max);
		o->window_ms = (int)n;
	} else if (!strcmp(key, "reset")) {
		if (!val || (strcmp(val, "off") && strcmp(val, "brom"))) {
			snprintf(err, errlen,
				 "sim option reset must be off (boots its firmware) or brom");
			return -EINVAL;
		}
		o->reset_leaves = !strcmp(val, "off");
	} else if (!strcmp(key, "plug")) {
		NEED_NUM(ms_max);
		o->plug_ms = (int)n;
	} else if (!strcmp(key, "link")) {
		if (!val || (strcmp(val, "fs") && strcmp(val, "none"))) {
			snprintf(err, errlen,
				 "sim option link must be fs (USB full speed) or none");
			return -EINVAL;
		}
		o->link_fs = !strcmp(val, "fs");
	} else if (!strcmp(key, "corrupt")) {
		NEED_NUM(UINT32_MAX);
		o->corrupt_every = (uint32_t)n;
	} else if (!strcmp(key, "corruptcount")) {
		NEED_NUM(UINT32_MAX);
		o->corrupt_count = (uint32_t)n;
	} else if (!strcmp(key, "drop")) {
		NEED_NUM(UINT64_MAX);
		o->drop_at = n;
	} else if (!strcmp(key, "stall")) {
		NEED_NUM(UINT64_MAX);
		o->stall_at = n;
	} else if (!strcmp(key, "stallms")) {
		NEED_NUM(ms_max);
		o->stall_ms = (int)n;
	} else if (!strcmp(key, "disconnect")) {
		NEED_NUM(UINT64_MAX);
		o->disconnect_at = n;
	} else if (!strcmp(key, "replug")) {
		NEED_NUM(ms_max);
		o->replug_ms = (int)n;
	} else if (!strcmp(key, "seed")) {
		NEED_NUM(UINT32_MAX);
		o->seed = (uint32_t)n;
	} else if (!strcmp(key, "wdt")) {
		NEED_NUM(ms_max);
		o->wdt_ms = (int)n;
	} else if (!strcmp(key, "size")) {
		if (!val || parse_num(val, 16u << 20, &n) < 0 ||
		    (n != 4u << 20 && n != 8u << 20 && n != 16u << 20)) {
			snprintf(err, errlen, "sim option size must be 4M, 8M or 16M");
			return -EINVAL;
		}
		o->image_size = (uint32_t)n;
	} else if (!strcmp(key, "agent")) {
		if (val && !strcmp(val, "hang")) {
			o->agent_hang = true;
		} else if (val && !strcmp(val, "badstream")) {
			o->agent_badstream = true;
		} else if (val && !strncmp(val, "die:", 4) &&
			   parse_num(val + 4, UINT64_MAX, &n) == 0 && n > 0) {
			o->agent_die_at = n;
		} else {
			snprintf(err, errlen,
				 "sim option agent must be hang, die:N (N bytes > 0) or badstream");
			return -EINVAL;
		}
	} else if (!strcmp(key, "spi")) {
		if (!val || strcmp(val, "fail")) {
			snprintf(err, errlen, "sim option spi takes fail (spi=fail)");
			return -EINVAL;
		}
		o->spi_fail = true;
	} else if (!strcmp(key, "sfc")) {
		if (!val || strncmp(val, "slow:", 5) || parse_num(val + 5, UINT32_MAX, &n) < 0) {
			snprintf(err, errlen, "sim option sfc takes slow:N (busy for N polls)");
			return -EINVAL;
		}
		o->sfc_slow_polls = (uint32_t)n;
	} else if (!strcmp(key, "efuse")) {
		uint8_t e[4];

		if (!val || parse_hex_bytes(val, e, 4) < 0) {
			snprintf(
			    err, errlen,
			    "sim option efuse needs 8 hex digits, e.g. efuse=36000000 (MT2503)");
			return -EINVAL;
		}
		o->efuse_swver =
		    (uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3];
		o->efuse_set = true;
	} else if (!strcmp(key, "dtr")) {
		if (!val || (strcmp(val, "required") && strcmp(val, "ignored"))) {
			snprintf(err, errlen, "sim option dtr must be required or ignored");
			return -EINVAL;
		}
		o->dtr_required = !strcmp(val, "required");
	} else if (!strcmp(key, "past_end")) {
		if (!val || (strcmp(val, "wrap") && strcmp(val, "ff"))) {
			snprintf(err, errlen, "sim option past_end must be wrap or ff");
			return -EINVAL;
		}
		o->past_end_ff = !strcmp(val, "ff");
	} else if (!strcmp(key, "mbist")) {
		if (!val || (strcmp(val, "pass") && strcmp(val, "fail"))) {
			snprintf(err, errlen, "sim option mbist must be pass or fail");
			return -EINVAL;
		}
		o->mbist_fail = !strcmp(val, "fail");
	} else if (!strcmp(key, "brom")) {
		if (!val || (strcmp(val, "engine") && strcmp(val, "model"))) {
			snprintf(err, errlen,
				 "sim option brom must be model (the C model, default) or engine "
				 "(the ROM's own command loop on the emulated core, needs rom=)");
			return -EINVAL;
		}
		if (!strcmp(val, "engine") && !sim_engine_built()) {
			snprintf(
			    err, errlen,
			    "sim option brom=engine: this mtkbak was built without the execution "
			    "engine (install libunicorn-dev and rebuild)");
			return -EINVAL;
		}
		o->brom_engine = !strcmp(val, "engine");
	} else if (!strcmp(key, "engine_log")) {
		if (!val || !*val || strlen(val) >= sizeof(o->engine_log)) {
			snprintf(err, errlen,
				 "sim option engine_log needs a file name (shorter than %zu)",
				 sizeof(o->engine_log));
			return -EINVAL;
		}
		snprintf(o->engine_log, sizeof(o->engine_log), "%s", val);
	} else if (!strcmp(key, "rom")) {
		struct stat st;

		if (!val || !*val || strlen(val) >= sizeof(o->rom_path)) {
			snprintf(err, errlen, "sim option rom needs the path of a boot-ROM dump");
			return -EINVAL;
		}
		if (stat(val, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "sim option rom: cannot read %s", val);
			return -EINVAL;
		}
		if (st.st_size <= 0 || st.st_size > SIM_ROM_MAX) {
			snprintf(err, errlen,
				 "sim option rom: %s is not a boot-ROM dump (1 byte to 64 KiB)",
				 val);
			return -EINVAL;
		}
		snprintf(o->rom_path, sizeof(o->rom_path), "%s", val);
	} else if (!strcmp(key, "fail")) {
		char cmd[3] = "";
		uint8_t c;

		if (!val || strlen(val) < 2) {
			snprintf(err, errlen,
				 "sim option fail needs a command byte, e.g. fail=d1:1d07");
			return -EINVAL;
		}
		memcpy(cmd, val, 2);
		if (parse_hex_bytes(cmd, &c, 1) < 0 || (val[2] && val[2] != ':')) {
			snprintf(err, errlen,
				 "sim option fail needs a command byte, e.g. fail=d1:1d07");
			return -EINVAL;
		}
		o->fail_cmd = c;
		if (val[2] == ':') {
			uint8_t st[2];

			if (parse_hex_bytes(val + 3, st, 2) < 0 || st[0] == 0) {
				snprintf(
				    err, errlen,
				    "sim option fail: the status must be 4 hex digits >= 0100");
				return -EINVAL;
			}
			o->fail_status = (uint16_t)(st[0] << 8 | st[1]);
		}
	} else if (!strcmp(key, "nor_log")) {
		if (!val || !*val || strlen(val) >= sizeof(o->nor_log)) {
			snprintf(err, errlen, "sim option nor_log needs a file name");
			return -EINVAL;
		}
		snprintf(o->nor_log, sizeof(o->nor_log), "%s", val);
	} else if (sim_nor_opt_known(key)) {
		return sim_nor_opt(o, key, val, err, errlen);
	} else {
		snprintf(
		    err, errlen,
		    "unknown sim option '%s' (known: chip, jedec, secure, window, plug, link, "
		    "corrupt, corruptcount, drop, stall, stallms, disconnect, replug, seed, size, "
		    "meid, fail, wdt, reset, dtr, past_end, mbist, rom, brom, engine_log, agent, "
		    "spi, sfc, efuse, nor_log, nor, norspeed, norcut, norbad, norstuck, stale, "
		    "protect, save, persist)",
		    key);
		return -EINVAL;
	}
#undef NEED_NUM
	return 0;
}

int sim_opts_parse(const char *text, struct sim_opts *o, char *err, size_t errlen)
{
	char buf[1024];
	char *save = NULL;

	if (!text || !*text)
		return 0;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "sim options too long");
		return -EINVAL;
	}
	strcpy(buf, text);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int ret;

		if (eq)
			*eq = 0;
		ret = one_opt(o, tok, eq ? eq + 1 : NULL, err, errlen);
		if (ret < 0)
			return ret;
	}
	return 0;
}
