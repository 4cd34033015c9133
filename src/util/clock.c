/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one monotonic clock (include/mtkbak/clock.h). */
#include "mtkbak/clock.h"

#include <errno.h>
#include <time.h>

int64_t mtk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t mtk_now_ms(void)
{
	return mtk_now_ns() / 1000000;
}

double mtk_now_s(void)
{
	return (double)mtk_now_ns() / 1e9;
}

int64_t mtk_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mtk_sleep_ms(int ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
