/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the fuzzer's bytes are everything a watch sends. A fake transport hands
 * them out in pieces (the first byte of each piece says how long it is) and swallows what the
 * host writes; when they run out the watch is gone (-ENODEV). On top of it the host runs what
 * `mtkbak read` does: handshake, identify (ME ID with its device-supplied length, target
 * config), the agent upload and start (D7 checksum, hello), flash info (JEDEC ID, SFDP), a
 * read with its packet headers, CRCs and tail, and the on-watch CRC-32. Besides ASan/UBSan it
 * traps when a read hands the sink anything outside the range asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/transport.h"
#include "fuzz_watch_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_tp {
	struct mtk_transport tp;
	const uint8_t *p;
	size_t left;
};

static int f_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct fuzz_tp *f = (struct fuzz_tp *)t;
	size_t n;

	(void)timeout_ms;
	if (f->left == 0)
		return -ENODEV;
	n = (size_t)f->p[0] + 1; /* piece length 1..256 */
	f->p++;
	f->left--;
	if (n > f->left)
		n = f->left;
	if (n > len)
		n = len;
	if (n == 0)
		return -ETIMEDOUT;
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (int)n;
}

static int f_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct fuzz_tp *f = (struct fuzz_tp *)t;

	(void)buf;
	(void)timeout_ms;
	return f->left ? (int)len : -ENODEV;
}

static void f_close(struct mtk_transport *t)
{
	(void)t;
}

static const struct mtk_transport_ops fuzz_ops = {"fuzz", f_read, f_write, f_close};

struct range {
	uint32_t off, len, next;
};

static int sink(void *ctx, uint32_t off, const uint8_t *d, size_t len)
{
	struct range *r = ctx;

	(void)d;
	if (off < r->off || len > r->len || off - r->off > r->len - len)
		__builtin_trap(); /* the da layer let a packet outside the request through */
	r->next = off + (uint32_t)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_tp f;
	struct range r = {FUZZ_READ_OFF, FUZZ_READ_LEN, FUZZ_READ_OFF};

	memset(&f, 0, sizeof(f));
	f.tp.ops = &fuzz_ops;
	strcpy(f.tp.name, "fuzz");
	f.p = data;
	f.left = size;
	fuzz_watch_seq(&f.tp, 1, sink, &r);
	return 0;
}
