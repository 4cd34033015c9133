/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private parts of the da layer shared by its files (da.c, da_write.c). */
#ifndef MTKBAK_DA_INTERNAL_H
#define MTKBAK_DA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mtkbak/da.h"

/* Records the failure in d->detail (and the debug log); returns err. */
int da_fail(struct da *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One small command: sends req, expects echo + status + payload[plen] + crc32 (+ pad),
 * re-synchronising and re-sending on a garbled answer (d->max_retries). A status other than
 * OK is -EREMOTEIO with d->last_status set. */
int da_small_cmd(struct da *d, const uint8_t *req, size_t reqlen, uint8_t *payload, uint32_t plen,
		 int timeout_ms, const char *name);

#endif
