/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one monotonic clock: every deadline and every duration in mtkbak is measured with it. */
#ifndef MTKBAK_CLOCK_H
#define MTKBAK_CLOCK_H

#include <stdint.h>

/* Monotonic time in milliseconds / nanoseconds since an arbitrary start. */
int64_t mtk_now_ms(void);
int64_t mtk_now_ns(void);
/* The same in seconds (durations, rates). */
double mtk_now_s(void);
/* Wall-clock time in milliseconds since the epoch (for log stamps only, never deadlines). */
int64_t mtk_wall_ms(void);
/* Sleeps for ms milliseconds (<= 0: returns at once). */
void mtk_sleep_ms(int ms);

#endif
