/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The byte pipe to the watch: a table of function pointers, one backend per file
 * (src/transport/usb.c, serial.c, sim.c), in the style of linux-msm/qdl.
 * Protocol code only ever sees struct mtk_transport. */
#ifndef MTKBAK_TRANSPORT_H
#define MTKBAK_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mtkbak/log.h"

struct mtk_transport;

struct mtk_transport_ops {
	const char *kind; /* "usb", "serial", "sim" */
	/* Reads up to len bytes, waiting at most timeout_ms for the first one.
	 * Returns the number of bytes read (> 0), -ETIMEDOUT when none arrived,
	 * -ENODEV when the device went away, -EIO on other failures. */
	int (*read)(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms);
	/* Writes all len bytes within timeout_ms. Returns len or a negative code. */
	int (*write)(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms);
	/* Releases the device (re-attaching kernel drivers) and frees t. */
	void (*close)(struct mtk_transport *t);
};

#define MTK_TP_RBUF 4096

struct mtk_transport {
	const struct mtk_transport_ops *ops;
	char name[160]; /* for messages: "usb:1-2.3", "serial:/dev/ttyACM0", "sim:demo" */
	const struct mtk_log *log; /* may be NULL */
	uint8_t rbuf[MTK_TP_RBUF]; /* read-ahead so byte-wise protocol reads are cheap */
	size_t rpos, rlen;
};

/* Reads exactly len bytes before an overall deadline of timeout_ms (through the read-ahead).
 * 0 on success, or -ETIMEDOUT / -ENODEV / -EIO. */
int mtk_tp_read_exact(struct mtk_transport *t, void *buf, size_t len, int timeout_ms);
/* Writes len bytes; 0 or a negative code. */
int mtk_tp_write(struct mtk_transport *t, const void *buf, size_t len, int timeout_ms);
/* Drops buffered and pending input (waits up to timeout_ms for stragglers). */
void mtk_tp_drain(struct mtk_transport *t, int timeout_ms);
void mtk_tp_close(struct mtk_transport *t);

#endif
