/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tiny streaming JSON writer (no allocation): used for report.json and --json output. */
#ifndef MTKBAK_JSON_H
#define MTKBAK_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_key;
	bool pretty;
};

void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* escapes; NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Writes "0x%0*X" as a JSON string, e.g. offsets: "0x00020000". */
void jw_hex(struct jw *w, uint64_t v, int digits);
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kuint(struct jw *w, const char *k, uint64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_khex(struct jw *w, const char *k, uint64_t v, int digits);
/* Ends the top-level value with a newline. */
void jw_end_line(struct jw *w);

#endif
