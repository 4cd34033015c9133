/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The common layer above the backends: read-ahead and overall deadlines. */
#include <string.h>

#include "mtkbak/errors.h"
#include "tp_internal.h"

int mtk_tp_read_exact(struct mtk_transport *t, void *buf, size_t len, int timeout_ms)
{
	uint8_t *out = buf;
	int64_t deadline = mtk_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	while (len) {
		int64_t left;
		int n;

		if (t->rpos < t->rlen) {
			size_t k = t->rlen - t->rpos;

			if (k > len)
				k = len;
			memcpy(out, t->rbuf + t->rpos, k);
			t->rpos += k;
			out += k;
			len -= k;
			continue;
		}
		left = deadline - mtk_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		t->rpos = t->rlen = 0;
		n = t->ops->read(t, t->rbuf, sizeof(t->rbuf), (int)left);
		if (n == -ETIMEDOUT)
			continue; /* the loop checks the deadline */
		if (n < 0)
			return n;
		if (n == 0 || (size_t)n > sizeof(t->rbuf))
			return -EIO;
		t->rlen = (size_t)n;
	}
	return 0;
}

int mtk_tp_write(struct mtk_transport *t, const void *buf, size_t len, int timeout_ms)
{
	int ret;

	if (!len)
		return 0;
	ret = t->ops->write(t, buf, len, timeout_ms > 0 ? timeout_ms : 1);
	if (ret < 0)
		return ret;
	return (size_t)ret == len ? 0 : -EIO;
}

void mtk_tp_drain(struct mtk_transport *t, int timeout_ms)
{
	int64_t deadline = mtk_now_ms() + timeout_ms;

	t->rpos = t->rlen = 0;
	/* bounded: by the deadline (a device that never stops talking is cut off there) */
	for (;;) {
		int64_t left = deadline - mtk_now_ms();
		int n;

		if (left <= 0)
			break;
		n = t->ops->read(t, t->rbuf, sizeof(t->rbuf), (int)(left < 10 ? left : 10));
		if (n <= 0)
			break;
	}
	t->rpos = t->rlen = 0;
}

void mtk_tp_close(struct mtk_transport *t)
{
	if (t)
		t->ops->close(t);
}
