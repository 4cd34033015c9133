/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mtkbak/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static void jw_indent(struct jw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Separator and indentation before a value or key. */
static void jw_pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			fputc(',', w->f);
		w->first[w->depth] = false;
		jw_indent(w);
	}
}

void jw_init(struct jw *w, FILE *f, bool pretty)
{
	w->f = f;
	w->depth = 0;
	w->after_key = false;
	w->pretty = pretty;
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		w->first[i] = true;
}

static void jw_open(struct jw *w, char c)
{
	jw_pre(w);
	fputc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		jw_indent(w);
	fputc(c, w->f);
}

void jw_obj_begin(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static void jw_raw_string(struct jw *w, const char *s, size_t n)
{
	fputc('"', w->f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", w->f);
			break;
		case '\\':
			fputs("\\\\", w->f);
			break;
		case '\n':
			fputs("\\n", w->f);
			break;
		case '\r':
			fputs("\\r", w->f);
			break;
		case '\t':
			fputs("\\t", w->f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(w->f, "\\u%04x",
					c); /* bytes from firmware may not be UTF-8 */
			else
				fputc(c, w->f);
		}
	}
	fputc('"', w->f);
}

void jw_key(struct jw *w, const char *key)
{
	jw_pre(w);
	jw_raw_string(w, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	jw_pre(w);
	jw_raw_string(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	jw_pre(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_uint(struct jw *w, uint64_t v)
{
	jw_pre(w);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_double(struct jw *w, double v)
{
	jw_pre(w);
	if (isfinite(v))
		fprintf(w->f, "%.6g", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, bool v)
{
	jw_pre(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	jw_pre(w);
	fputs("null", w->f);
}

void jw_hex(struct jw *w, uint64_t v, int digits)
{
	jw_pre(w);
	fprintf(w->f, "\"0x%0*" PRIX64 "\"", digits, v);
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_kuint(struct jw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_uint(w, v);
}

void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

void jw_khex(struct jw *w, const char *k, uint64_t v, int digits)
{
	jw_key(w, k);
	jw_hex(w, v, digits);
}

void jw_end_line(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}
