/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Layers below src/cli never print: they report protocol detail through this callback. */
#ifndef MTKBAK_LOG_H
#define MTKBAK_LOG_H

#include "mtkbak/printf_attr.h"

enum mtk_log_level {
	MTK_LOG_INFO = 0,  /* a step worth one line with -v */
	MTK_LOG_DEBUG = 1, /* protocol detail (-vv) */
	MTK_LOG_TRACE = 2  /* bytes on the wire (-vvv) */
};

struct mtk_log {
	void (*fn)(void *ctx, int level, const char *msg);
	void *ctx;
};

/* printf-style helper; does nothing when log or log->fn is NULL. */
void mtk_logf(const struct mtk_log *log, int level, const char *fmt, ...) MTK_PRINTF(3, 4);

#endif
