/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readback engine: connect, decide the size, read chunk by chunk into FILE.part with a
 * progress record, survive cable drops, verify the whole image against the watch, and only
 * then rename FILE.part to FILE. It talks to the watch only through struct rb_dev_ops, so the
 * unit tests run it against an in-memory watch with faults. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "util/compat.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hash.h"
#include "mtkbak/clock.h"
#include "mtkbak/text.h"
#include "readback/rb_internal.h"

struct eng {
	const struct readback_opts *o;
	const struct rb_dev_ops *ops;
	void *dev;
	struct readback_result *r;
	char part_path[MTK_PATH_MAX];
	char state_path[MTK_PATH_MAX];
	int fd;
	bool created_part;     /* this run made FILE.part (removed again if nothing was kept) */
	bool state_saved;      /* the progress record describes FILE.part */
	bool prefix_rechecked; /* BROM-only resume: the kept part was read again */
	bool may_shrink;       /* read_all: a link error makes the piece smaller (-EAGAIN) */
	uint32_t read_len;     /* read_all's piece: e->chunk, halved after each link error */
	struct stat part_st;   /* the FILE.part inode this run locked and verified */
	bool connected;
	uint32_t size, chunk;
	unsigned max_reconnects;
	uint8_t *buf;	 /* one chunk */
	uint8_t *prefix; /* the flash start, read while sizing, reused as the first bytes */
	uint32_t prefix_len;
	struct rb_state st;   /* what the progress record says (kept in step with the file) */
	const char *phase;    /* for error messages: "reading the flash" */
	char spi_failed[256]; /* why the flash ID commands failed, "" if they did not */
	uint64_t last_done;   /* the read position last reported */
	double t0;
};

static void say(struct eng *e, const char *fmt, ...) MTK_PRINTF(2, 3);
static void say(struct eng *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->o->state)
		e->o->state(e->o->cb_ctx, msg);
	else
		mtk_logf(e->o->log, MTK_LOG_INFO, "readback: %s", msg);
}

static void warn(struct eng *e, const char *msg)
{
	if (e->o->warn)
		e->o->warn(e->o->cb_ctx, msg);
	else
		mtk_logf(e->o->log, MTK_LOG_INFO, "readback: warning: %s", msg);
}

/* Sets the "what was going on" text for the error message; returns err. */
static int ctx_err(struct eng *e, int err, const char *fmt, ...) MTK_PRINTF(3, 4);
static int ctx_err(struct eng *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->r->error_context, sizeof(e->r->error_context), fmt, ap);
	va_end(ap);
	return err;
}

static const char *dev_detail(struct eng *e)
{
	const char *d = e->ops->detail ? e->ops->detail(e->dev) : NULL;

	return d ? d : "";
}

static bool cancelled(struct eng *e)
{
	return e->o->cancelled && e->o->cancelled(e->o->cb_ctx);
}

static void progress(struct eng *e, uint64_t done)
{
	struct readback_progress p = {.done = done, .total = e->size};

	e->last_done = done;
	if (e->o->progress)
		e->o->progress(e->o->cb_ctx, &p);
}

/* Errors after which the watch may answer again once it is reconnected. */
static bool link_error(int err)
{
	return err == -ENODEV || err == -ETIMEDOUT || err == -EIO || err == -EPROTO ||
	       err == -EPIPE;
}

/* ---- connecting and reconnecting ---- */

static int check_same_watch(struct eng *e, const struct brom_id *id)
{
	char a[33], b[33];

	if (memcmp(id->me_id, e->r->id.me_id, 16) == 0)
		return 0;
	mtk_hex(id->me_id, 16, a);
	mtk_hex(e->r->id.me_id, 16, b);
	return ctx_err(e, -ENODEV,
		       "a different watch came back (ME ID %s, the read started on %s); "
		       "FILE.part keeps what was verified",
		       a, b);
}

static int check_same_flash(struct eng *e)
{
	struct da_flash_info fi;
	int ret;

	if (!e->r->have_jedec)
		return 0;
	ret = e->ops->flash_info(e->dev, &fi);
	if (ret == -ENOTSUP || ret == -EREMOTEIO)
		return 0; /* now through the boot ROM alone, or SPI fails: the ME ID must do */
	if (ret < 0)
		return ret;
	if (memcmp(fi.jedec, e->r->jedec, 3))
		return ctx_err(e, -ENODEV,
			       "the flash now answers JEDEC ID %02X %02X %02X, not %02X %02X %02X",
			       fi.jedec[0], fi.jedec[1], fi.jedec[2], e->r->jedec[0],
			       e->r->jedec[1], e->r->jedec[2]);
	return 0;
}

/* After a link error: wait for the watch to come back (the user plugs it in again with the
 * boot key), bring it up again and check it is the same watch. 0 = continue, else the error
 * to give up with. Bounded by max_reconnects and the reconnect deadline. */
static int recover(struct eng *e, int err)
{
	char done[32], tot[32], where[96];
	int ret;

	if (!link_error(err) || (e->ops->gave_up && e->ops->gave_up(e->dev)))
		return err;
	if (cancelled(e))
		return -EINTR;
	mtk_size_text(e->st.verified, done, sizeof(done));
	mtk_size_text(e->size, tot, sizeof(tot));
	if (!e->size)
		snprintf(where, sizeof(where), "while sizing the flash");
	else
		snprintf(where, sizeof(where), "at %u%% (%s of %s kept)",
			 (unsigned)(e->last_done * 100 / e->size), done, tot);
	if (e->r->reconnects >= e->max_reconnects)
		return ctx_err(e, err, "the connection was lost %u times (%s)", e->r->reconnects,
			       mtk_strerror(err));
	e->ops->close(e->dev);
	e->connected = false;
	e->r->reconnects++;
	say(e,
	    "Lost the watch %s: %s. Plug the watch in again, holding the boot key "
	    "(waiting up to %d s)",
	    where, mtk_strerror(err), e->o->reconnect_timeout_ms / 1000);
	double deadline = mtk_now_s() + e->o->reconnect_timeout_ms / 1000.0;
	for (unsigned attempt = 0;; attempt++) {
		struct brom_id id;
		int left = (int)((deadline - mtk_now_s()) * 1000.0);

		if (cancelled(e))
			return -EINTR;
		if (left <= 0 || attempt > 100) {
			return ctx_err(
			    e, -ETIMEDOUT,
			    "the watch did not come back within %d s after the connection "
			    "was lost",
			    e->o->reconnect_timeout_ms / 1000);
		}
		ret = e->ops->connect(e->dev, left, &id);
		if (ret == 0) {
			e->connected = true;
			if ((ret = check_same_watch(e, &id)) < 0 || (ret = check_same_flash(e)) < 0)
				return ret;
			say(e, "The watch is back; continuing at %s", done);
			return 0;
		}
		if (ret == -EINTR || ret == -EPERM || ret == -EACCES || ret == -EBUSY)
			return ret;
		if (ret == -ENODEV)
			continue; /* nothing appeared yet (or it left again): keep waiting */
		/* It is there but does not answer like a fresh boot ROM (e.g. still stuck in the
		 * agent): the user has to unplug it. */
		e->ops->close(e->dev);
		if (attempt == 0)
			say(e,
			    "The watch does not answer (%s): unplug it, then plug it in again "
			    "holding the boot key",
			    mtk_strerror(ret));
		usleep(200 * 1000);
	}
}

/* ---- reading ---- */

#define RB_MIN_READ (64u * 1024u) /* smallest piece after link errors */

struct data_ctx {
	struct eng *e;
	uint64_t base;
};

static int on_data(void *ctx, uint32_t done)
{
	struct data_ctx *c = ctx;

	if (cancelled(c->e))
		return -EINTR;
	if (c->e->size)
		progress(c->e, c->base + done);
	return 0;
}

/* [off, off+len) into buf: from the prefix where it covers, the rest from the watch. */
static int read_range(struct eng *e, uint32_t off, uint32_t len, uint8_t *buf, bool show)
{
	uint32_t done = 0;
	int ret;

	if (off < e->prefix_len) {
		done = e->prefix_len - off < len ? e->prefix_len - off : len;
		memcpy(buf, e->prefix + off, done);
	}
	if (done == len)
		return 0;
	struct data_ctx c = {.e = e, .base = (uint64_t)off + done};
	ret = e->ops->read(e->dev, off + done, len - done, buf + done, show ? on_data : NULL,
			   show ? &c : NULL);
	if (ret == 0)
		e->r->bytes_transferred += len - done;
	return ret;
}

/* One chunk: every packet's CRC is checked inside ops->read (the agent re-requests bad
 * packets; BROM-only reads every block twice). The whole image is compared with the watch's own
 * CRC-32 at the end, which re-reads the flash on the watch; one CRC pass instead of one per
 * chunk keeps the watch's CRC time (it reads its flash at some 20-40 MB/s) off the total.
 * Bad packets beyond the agent's retries re-read the chunk (bounded); link errors reconnect. */
static int read_chunk(struct eng *e, uint32_t off, uint32_t len)
{
	unsigned bad = 0;

	for (;;) {
		int ret;

		if (cancelled(e))
			return -EINTR;
		ret = read_range(e, off, len, e->buf, true);
		if (ret == 0 || ret == -EINTR)
			return ret;
		if (ret == -EBADMSG) {
			e->r->retries++;
			if (++bad > RB_CHUNK_RETRIES)
				return ctx_err(
				    e, -EBADMSG,
				    "the data at 0x%06X..0x%06X failed its check %u times", off,
				    off + len, bad);
			continue;
		}
		ret = recover(e, ret);
		if (ret < 0)
			return ret;
		/* A link that drops again before a whole chunk gets through would never
		 * finish: the main read goes on in smaller pieces (down to 64 KiB). */
		if (e->may_shrink && len > RB_MIN_READ) {
			e->read_len = len / 2 > RB_MIN_READ ? len / 2 : RB_MIN_READ;
			return -EAGAIN;
		}
	}
}

/* A chunk whose bytes must match the watch's CRC-32 of the same range (repair). */
static int read_chunk_checked(struct eng *e, uint32_t off, uint32_t len, uint32_t dev_crc)
{
	for (unsigned bad = 0;; bad++) {
		int ret = read_chunk(e, off, len);

		if (ret < 0)
			return ret;
		if (rb_crc32(0, e->buf, len) == dev_crc)
			return 0;
		e->prefix_len = 0; /* the prefix may be the bad part */
		e->r->retries++;
		if (bad >= RB_CHUNK_RETRIES)
			return ctx_err(
			    e, -EBADMSG,
			    "the data at 0x%06X..0x%06X never matched the watch's CRC-32 "
			    "(%u reads)",
			    off, off + len, bad + 1);
	}
}

/* ---- the output file and the progress record ---- */

static int write_all(struct eng *e, const uint8_t *p, uint32_t len, uint32_t off)
{
	while (len) {
		ssize_t n = pwrite(e->fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ctx_err(e, mtk_output_err(-errno), "writing %s", e->part_path);
		}
		p += n;
		off += (uint32_t)n;
		len -= (uint32_t)n;
	}
	return 0;
}

static int save_state(struct eng *e)
{
	/* Not fsynced (a sync per chunk costs more than it saves): a rerun trusts the .part only
	 * after checking its CRC against the record, and the end compares everything with the
	 * watch anyway. */
	int ret = rb_state_save(e->state_path, &e->st, false);

	if (ret < 0)
		return ctx_err(e, ret, "writing the progress record %s", e->state_path);
	e->state_saved = true;
	return 0;
}

/* CRC-32 of the first len bytes of FILE.part as they are on disk; -ENODATA when shorter. */
static int file_crc(struct eng *e, uint32_t len, uint32_t *crc, uint8_t *sha256,
		    uint32_t *chunk_crcs)
{
	struct mtk_sha256_ctx sc;
	uint32_t c = 0;

	if (sha256)
		mtk_sha256_init(&sc);
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off < e->chunk ? len - off : e->chunk;
		ssize_t got = pread(e->fd, e->buf, n, off);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return ctx_err(e, mtk_output_err(-errno), "reading back %s", e->part_path);
		}
		if ((uint32_t)got != n)
			return -ENODATA;
		c = rb_crc32(c, e->buf, n);
		if (sha256)
			mtk_sha256_update(&sc, e->buf, n);
		if (chunk_crcs)
			chunk_crcs[off / e->chunk] = rb_crc32(0, e->buf, n);
		off += n;
	}
	*crc = c;
	if (sha256)
		mtk_sha256_final(&sc, sha256);
	return 0;
}

/* Decides between continuing FILE.part and starting over; opens e->fd. */
static int open_part(struct eng *e)
{
	struct rb_state old;
	char why[160] = "";
	struct stat st;
	bool resume = false;
	int ret = rb_state_load(e->state_path, &old, why, sizeof(why));
	bool have_part = fstat(e->fd, &st) == 0 && !e->created_part;

	memset(&e->st, 0, sizeof(e->st));
	e->st.size = e->size;
	memcpy(e->st.me_id, e->r->id.me_id, 16);
	e->st.have_jedec = e->r->have_jedec;
	memcpy(e->st.jedec, e->r->jedec, 3);

	if (ret == 0) {
		char a[33];

		if (memcmp(old.me_id, e->st.me_id, 16)) {
			mtk_hex(old.me_id, 16, a);
			snprintf(why, sizeof(why), "it was made on another watch (ME ID %s)", a);
		} else if (old.size != e->size) {
			char s1[32], s2[32];

			mtk_size_text(old.size, s1, sizeof(s1));
			mtk_size_text(e->size, s2, sizeof(s2));
			snprintf(why, sizeof(why), "it was a read of %s, this one is %s", s1, s2);
		} else if (old.have_jedec && e->st.have_jedec &&
			   memcmp(old.jedec, e->st.jedec, 3)) {
			snprintf(why, sizeof(why), "it was made with another flash chip");
		} else if (!have_part || (uint64_t)st.st_size < old.verified) {
			snprintf(why, sizeof(why),
				 "the .part file is missing or shorter than recorded");
		} else {
			resume = true;
		}
	} else if (mtk_errno(ret) == -ENOENT) {
		why[0] = '\0';
		if (have_part)
			snprintf(why, sizeof(why), "the .part file has no progress record");
	}

	if (!resume && ftruncate(e->fd, 0) < 0)
		return ctx_err(e, mtk_output_err(-errno), "truncating %s", e->part_path);

	if (resume && old.verified) {
		uint32_t crc;

		ret = file_crc(e, old.verified, &crc, NULL, NULL);
		if (ret < 0 && ret != -ENODATA)
			return ret;
		if (ret == -ENODATA || crc != old.verified_crc) {
			snprintf(why, sizeof(why),
				 "the .part file changed since its record was written");
			resume = false;
			if (ftruncate(e->fd, 0) < 0)
				return ctx_err(e, mtk_output_err(-errno), "truncating %s",
					       e->part_path);
		}
	}
	if (resume) {
		char d[32], t[32];

		e->st.verified = old.verified;
		e->st.verified_crc = old.verified_crc;
		e->r->resumed = old.verified > 0;
		e->r->resumed_from = old.verified;
		mtk_size_text(old.verified, d, sizeof(d));
		mtk_size_text(e->size, t, sizeof(t));
		if (old.verified)
			say(e, "Resuming: %s of %s were read by an earlier run", d, t);
	} else if (why[0]) {
		say(e, "Starting over: %s", why);
	}
	return save_state(e);
}

/* ---- sizing ---- */

static int probe_read(void *ctx, uint32_t off, uint32_t len, uint8_t *buf)
{
	return read_range(ctx, off, len, buf, false);
}

static void jedec_text(const uint8_t j[3], char *out, size_t len)
{
	snprintf(out, len, "%02X %02X %02X", j[0], j[1], j[2]);
}

/* One attempt at gathering the evidence and deciding; link errors go back to the caller. */
static int size_once(struct eng *e, struct rb_size_decision *d)
{
	struct rb_size_evidence ev = {.user_length = e->o->length, .window = READBACK_MAX_SIZE};
	struct da_flash_info fi;
	struct rb_cmem cmem;
	uint32_t plen = RB_CMEM_SCAN_LEN;
	int ret;

	e->spi_failed[0] = 0;
	ret = e->ops->flash_info(e->dev, &fi);
	if (ret == -EREMOTEIO) {
		/* The serial flash controller failed (agent status 0x2D04...): no JEDEC ID,
		 * no SFDP. The data path (the memory window after the remap) needs no SPI. */
		snprintf(e->spi_failed, sizeof(e->spi_failed), "%s", dev_detail(e));
		if (!e->spi_failed[0])
			snprintf(e->spi_failed, sizeof(e->spi_failed), "%s", mtk_strerror(ret));
	} else if (ret == 0) {
		e->r->have_jedec = true;
		memcpy(e->r->jedec, fi.jedec, 3);
		e->r->jedec_size =
		    fi.jedec_size ? fi.jedec_size : rb_jedec_capacity_size(fi.jedec[2]);
		e->r->sfdp_size = fi.sfdp_size;
		ev.have_jedec = true;
		memcpy(ev.jedec, fi.jedec, 3);
		ev.jedec_size = e->r->jedec_size;
		ev.sfdp_size = fi.sfdp_size;
	} else if (ret != -ENOTSUP) {
		return ret;
	}

	/* The flash start: the firmware's flash tables live there, and the bytes are kept as
	 * the start of the image. */
	if (!e->prefix) {
		e->prefix = malloc(plen);
		if (!e->prefix)
			return -ENOMEM;
	}
	e->prefix_len = 0;
	ret = e->ops->read(e->dev, 0, plen, e->prefix, NULL, NULL);
	if (ret < 0)
		return ret;
	e->prefix_len = plen;
	e->r->bytes_transferred += plen;
	rb_cmem_scan(e->prefix, plen, &cmem);
	ev.cmem = &cmem;
	e->r->firmware_size = rb_cmem_size(&cmem);
	if (cmem.have_ids || cmem.have_nor) {
		char list[96];

		rb_cmem_list_text(&cmem, list, sizeof(list));
		mtk_logf(e->o->log, MTK_LOG_INFO,
			 "readback: firmware flash tables: IDs [%s] at 0x%X, NOR_INFO %s at 0x%X%s",
			 list, cmem.ids_offset, cmem.have_nor ? "found" : "absent", cmem.nor_offset,
			 cmem.copies_differ ? " (copies differ)" : "");
	}

	ret = rb_mirror_probe(probe_read, e, READBACK_MAX_SIZE, &ev.mirror);
	if (ret < 0)
		return ret;
	e->r->mirror_size = ev.mirror.verdict == RB_MIRROR_FOUND ? ev.mirror.period : 0;
	mtk_logf(e->o->log, MTK_LOG_INFO, "readback: mirror test: %s", ev.mirror.note);

	ret = rb_decide_size(&ev, d);
	if (ret < 0)
		return ctx_err(e, ret, "deciding the flash size: %s; give it with --length",
			       d->evidence);
	return 0;
}

static int decide_size(struct eng *e)
{
	struct rb_size_decision d;
	char s[32], j[16];
	int ret;

	unsigned bad = 0;

	while ((ret = size_once(e, &d)) < 0) {
		if (ret == -EBADMSG && ++bad <= RB_CHUNK_RETRIES) {
			e->r->retries++; /* bad packets beyond the agent's own retries */
			continue;
		}
		if (ret == -EINTR || !link_error(ret))
			return ret;
		if ((ret = recover(e, ret)) < 0)
			return ret;
	}
	if (e->spi_failed[0]) {
		char msg[1024];

		snprintf(msg, sizeof(msg),
			 "the serial flash did not answer its ID commands (%s): no JEDEC ID, no "
			 "SFDP; size: %s",
			 e->spi_failed, d.evidence);
		warn(e, msg);
	}
	for (unsigned i = 0; i < d.nwarn; i++)
		warn(e, d.warn[i]);
	e->size = d.size;
	e->r->size = d.size;
	e->r->size_source = d.source;
	e->r->size_conflict = d.conflict;
	snprintf(e->r->size_evidence, sizeof(e->r->size_evidence), "%s", d.evidence);
	if (e->prefix_len > e->size)
		e->prefix_len = e->size;
	mtk_size_text(d.size, s, sizeof(s));
	if (e->r->have_jedec) {
		jedec_text(e->r->jedec, j, sizeof(j));
		say(e, "Flash: JEDEC ID %s, reading %s (size from %s)", j, s, d.evidence);
	} else {
		say(e, "Flash: reading %s (size from %s)", s, d.evidence);
	}
	return 0;
}

/* ---- verification of the whole image ---- */

static int device_crc(struct eng *e, uint32_t off, uint32_t len, uint32_t *crc)
{
	unsigned bad = 0;
	int ret;

	while ((ret = e->ops->crc32(e->dev, off, len, crc)) < 0) {
		if (ret == -EBADMSG && ++bad <= RB_CHUNK_RETRIES)
			continue; /* the answer was damaged on the way */
		if (ret == -ENOTSUP || ret == -EINTR || !link_error(ret))
			return ret;
		if ((ret = recover(e, ret)) < 0)
			return ret;
	}
	return 0;
}

/* Chunks whose bytes on disk differ from the watch's CRC are read again. */
static int repair(struct eng *e, const uint32_t *file_chunks)
{
	uint32_t nchunks = (e->size + e->chunk - 1) / e->chunk;
	unsigned fixed = 0;

	for (uint32_t i = 0; i < nchunks; i++) {
		uint32_t off = i * e->chunk,
			 len = e->size - off < e->chunk ? e->size - off : e->chunk;
		uint32_t dev;
		int ret;

		if ((ret = device_crc(e, off, len, &dev)) < 0)
			return ret;
		if (dev == file_chunks[i])
			continue;
		say(e, "Reading 0x%06X..0x%06X again: the file differs from the watch there", off,
		    off + len);
		if ((ret = read_chunk_checked(e, off, len, dev)) < 0)
			return ret;
		if ((ret = write_all(e, e->buf, len, off)) < 0)
			return ret;
		e->r->retries++;
		fixed++;
	}
	if (fdatasync(e->fd) < 0)
		return ctx_err(e, mtk_output_err(-errno), "writing %s", e->part_path);
	return (int)fixed;
}

/* BROM-only resume: [0, resumed_from) is read from the watch again (every block twice, in
 * two shapes) and compared with the file chunk by chunk; chunks that differ are rewritten.
 * Returns how many were rewritten, or an error. */
static int recheck_kept(struct eng *e, const uint32_t *file_chunks)
{
	uint32_t end = e->r->resumed_from;
	int fixed = 0;
	char kept[32];

	mtk_size_text(end, kept, sizeof(kept));
	say(e,
	    "Reading the %s kept from the earlier run again: the boot ROM has no checksum to "
	    "compare them with",
	    kept);
	e->prefix_len = 0; /* the sizing prefix was read in this run, but read it again too */
	for (uint32_t off = 0; off < end;) {
		uint32_t len = e->size - off < e->chunk ? e->size - off : e->chunk;
		uint32_t crc;
		int ret;

		if ((ret = read_chunk(e, off, len)) < 0)
			return ret;
		crc = rb_crc32(0, e->buf, len);
		if (crc != file_chunks[off / e->chunk]) {
			say(e,
			    "0x%06X..0x%06X changed on the watch since the earlier run: replaced",
			    off, off + len);
			if ((ret = write_all(e, e->buf, len, off)) < 0)
				return ret;
			e->r->retries++;
			fixed++;
		}
		off += len;
	}
	if (fixed) {
		/* the record must describe the new bytes */
		uint32_t c;
		int ret = file_crc(e, e->size, &c, NULL, NULL);

		if (ret < 0)
			return ret;
		e->st.verified_crc = c;
		e->st.verified = e->size;
		if ((ret = save_state(e)) < 0)
			return ret;
	}
	return fixed;
}

static int verify_whole(struct eng *e)
{
	uint32_t nchunks = (e->size + e->chunk - 1) / e->chunk;
	uint32_t *chunks = calloc(nchunks, sizeof(*chunks));
	uint32_t crc, dev;
	int ret;

	if (!chunks)
		return -ENOMEM;
	for (unsigned round = 0;; round++) {
		if (fsync(e->fd) < 0) {
			ret = ctx_err(e, mtk_output_err(-errno), "writing %s", e->part_path);
			break;
		}
		ret = file_crc(e, e->size, &crc, e->r->sha256, chunks);
		if (ret == -ENODATA)
			ret = ctx_err(e, mtk_output_err(-EIO),
				      "%s is shorter than what was written", e->part_path);
		if (ret < 0)
			break;
		e->r->crc32 = crc;
		if (!e->o->no_da && !(e->ops->fallback && e->ops->fallback(e->dev)))
			say(e, "Verifying the whole image against the watch");
		ret = device_crc(e, 0, e->size, &dev);
		if (ret == -ENOTSUP && e->r->resumed && !e->prefix_rechecked) {
			/* BROM-only resume: the kept part came from an earlier run and the watch
			 * has no CRC to compare it with (its firmware may have run meanwhile and
			 * rewritten NVRAM): read it again and replace what changed. */
			ret = recheck_kept(e, chunks);
			if (ret < 0)
				break;
			e->prefix_rechecked = true;
			if (ret > 0)
				continue; /* the file changed: hash it again */
			ret = -ENOTSUP;
		}
		if (ret == -ENOTSUP) {
			/* BROM-only: no CRC on the watch; every block was read twice and matched,
			 * and the file must hold exactly the bytes that were checked. */
			if (crc != e->st.verified_crc) {
				ret = ctx_err(e, -EBADMSG,
					      "%s on disk differs from what was read (CRC-32 %08x, "
					      "expected %08x): a disk problem?",
					      e->part_path, crc, e->st.verified_crc);
				e->st.verified = 0;
				e->st.verified_crc = 0;
				save_state(e);
			} else {
				ret = 0;
			}
			break;
		}
		if (ret < 0)
			break;
		if (dev == crc) {
			e->r->device_crc_checked = true;
			ret = 0;
			break;
		}
		mtk_logf(e->o->log, MTK_LOG_INFO,
			 "readback: whole image CRC-32 %08x, the watch says %08x", crc, dev);
		if (round >= RB_VERIFY_REPAIRS) {
			ret = ctx_err(e, -EBADMSG,
				      "the image's CRC-32 %08x still differs from the watch's %08x "
				      "after %u repair rounds",
				      crc, dev, round);
			break;
		}
		ret = repair(e, chunks);
		if (ret < 0)
			break;
		if (ret == 0) {
			/* Every chunk matches but the whole does not: the watch is not
			 * answering consistently. */
			ret = ctx_err(e, -EBADMSG,
				      "every chunk matches the watch but the whole image does not "
				      "(CRC-32 %08x vs %08x)",
				      crc, dev);
			break;
		}
	}
	free(chunks);
	return ret;
}

/* ---- commit ---- */

static int commit(struct eng *e)
{
	char dir[MTK_PATH_MAX];
	int ret;

	/* The name must still be the inode this run locked and verified (nobody swapped in
	 * another file, or a link, while the lock was held); the lock is kept until renamed. */
	if (fs_same_file(e->part_path, e->fd) != 1)
		return ctx_err(e, -MTK_EUNSAFE,
			       "%s was replaced while reading; nothing was saved as %s",
			       e->part_path, e->o->out_path);
#ifdef _WIN32
	/* Windows renames only closed files (the lock goes with the handle) */
	close(e->fd);
	e->fd = -1;
#endif
	if (e->o->force)
		ret = fs_replace(e->part_path, e->o->out_path);
	else
		ret = fs_rename_noreplace(e->part_path, e->o->out_path);
	if (ret == -EEXIST)
		return ctx_err(e, mtk_output_err(-EEXIST),
			       "%s appeared while reading; the verified image stays in %s",
			       e->o->out_path, e->part_path);
	if (ret < 0)
		return ctx_err(e, mtk_output_err(ret), "renaming %s to %s", e->part_path,
			       e->o->out_path);
	if (e->fd >= 0 && close(e->fd) < 0) {
		e->fd = -1;
		return ctx_err(e, mtk_output_err(-errno), "closing %s", e->o->out_path);
	}
	e->fd = -1;
	unlink(e->state_path);
	if (snprintf(dir, sizeof(dir), "%s.tmp", e->state_path) < (int)sizeof(dir))
		unlink(dir); /* a record write cut short by a crash */
	if (path_split(e->o->out_path, dir, sizeof(dir), NULL, 0) == 0)
		fsync_dir(dir);
	return 0;
}

/* ---- the run ---- */

/* Opens FILE.part (never through a link, only a regular file of this user) and locks it
 * before anything decides to resume or truncate it: a second mtkbak on the same output stops
 * here, before touching its watch. */
static int lock_part(struct eng *e)
{
	int fd = fs_open_part(e->part_path, &e->created_part), ret;

	if (fd == -MTK_EUNSAFE)
		return ctx_err(e, fd, "%s", e->part_path);
	if (fd < 0)
		return ctx_err(e, mtk_output_err(fd), "creating %s", e->part_path);
	if ((ret = fs_lock(fd)) < 0) {
		close(fd); /* the holder may have created it: its file, not ours to remove */
		return ctx_err(e, mtk_output_err(ret),
			       ret == -MTK_ELOCKED ? "%s is being written by another mtkbak"
						   : "locking %s",
			       e->part_path);
	}
	if (fstat(fd, &e->part_st) < 0) {
		ret = mtk_output_err(-errno);
		close(fd);
		return ctx_err(e, ret, "%s", e->part_path);
	}
	e->fd = fd;
	return 0;
}

/* Before touching the watch: can FILE.part be created where FILE goes? */
static int check_folder(struct eng *e)
{
	char dir[MTK_PATH_MAX];
	struct stat st;
	int ret = path_split(e->o->out_path, dir, sizeof(dir), NULL, 0);

	if (ret < 0)
		return ctx_err(e, mtk_output_err(ret), "the output name %s", e->o->out_path);
	if (stat(dir, &st) < 0)
		return ctx_err(e, mtk_output_err(-errno), "the output folder %s", dir);
	if (!S_ISDIR(st.st_mode))
		return ctx_err(e, mtk_output_err(-ENOTDIR), "the output folder %s", dir);
#ifdef _WIN32
	if (access(dir, W_OK) < 0) /* msvcrt has no X_OK */
#else
	if (access(dir, W_OK | X_OK) < 0)
#endif
		return ctx_err(e, mtk_output_err(-errno), "cannot write to the output folder %s",
			       dir);
	return 0;
}

static int read_all(struct eng *e)
{
	double t = mtk_now_s();
	char s[32];

	mtk_size_text(e->size - e->st.verified, s, sizeof(s));
	say(e, "Reading %s into %s", s, e->part_path);
	progress(e, e->st.verified);
	e->read_len = e->chunk;
	while (e->st.verified < e->size) {
		uint32_t off = e->st.verified;
		uint32_t len = e->size - off < e->read_len ? e->size - off : e->read_len;
		int ret;

		e->may_shrink = true;
		ret = read_chunk(e, off, len);
		e->may_shrink = false;
		if (ret == -EAGAIN)
			continue; /* reconnected: the same offset in a smaller piece */
		if (ret < 0)
			return ret;
		if ((ret = write_all(e, e->buf, len, off)) < 0)
			return ret;
		e->st.verified_crc = rb_crc32(e->st.verified_crc, e->buf, len);
		e->st.verified = off + len;
		if ((ret = save_state(e)) < 0)
			return ret;
		progress(e, e->st.verified);
	}
	if (ftruncate(e->fd, e->size) < 0)
		return ctx_err(e, mtk_output_err(-errno), "writing %s", e->part_path);
	e->r->read_seconds = mtk_now_s() - t;
	return 0;
}

static int first_connect(struct eng *e)
{
	int ret = e->ops->connect(e->dev, e->o->open_timeout_ms, &e->r->id);

	if (ret < 0)
		return ret;
	e->connected = true;
	return 0;
}

int rb_engine_run(const struct readback_opts *o, const struct rb_dev_ops *ops, void *dev,
		  struct readback_result *r)
{
	struct eng e = {.o = o, .ops = ops, .dev = dev, .r = r, .fd = -1};
	struct stat st;
	int ret;

	memset(r, 0, sizeof(*r));
	e.t0 = mtk_now_s();
	e.chunk = o->chunk_size ? o->chunk_size : RB_DEFAULT_CHUNK;
	e.max_reconnects = o->max_reconnects ? o->max_reconnects : RB_DEFAULT_RECONNECTS;
	if (!o->out_path || !*o->out_path || e.chunk % 4 || e.chunk < 4096 ||
	    e.chunk > 16u * 1024u * 1024u || (o->length % 4) || o->length > READBACK_MAX_SIZE)
		return ctx_err(&e, -EINVAL, "bad read options");
	if (snprintf(r->out_path, sizeof(r->out_path), "%s", o->out_path) >=
		(int)sizeof(r->out_path) ||
	    snprintf(e.part_path, sizeof(e.part_path), "%s.part", o->out_path) >=
		(int)sizeof(e.part_path) ||
	    readback_state_path(o->out_path, e.state_path, sizeof(e.state_path)) < 0)
		return ctx_err(&e, mtk_output_err(-ENAMETOOLONG), "output name too long");
	if (!o->force && stat(o->out_path, &st) == 0)
		return ctx_err(&e, mtk_output_err(-EEXIST), "%s already exists", o->out_path);
	if ((ret = check_folder(&e)) < 0)
		return ret;
	if ((ret = lock_part(&e)) < 0)
		return ret;
	e.buf = malloc(e.chunk);
	if (!e.buf) {
		ret = -ENOMEM;
		goto out;
	}

	e.phase = "connecting to the watch";
	if ((ret = first_connect(&e)) < 0)
		goto out;
	e.phase = "finding the flash size";
	if ((ret = decide_size(&e)) < 0)
		goto out;
	e.phase = "preparing the output";
	if ((ret = open_part(&e)) < 0)
		goto out;
	e.phase = "reading the flash";
	if ((ret = read_all(&e)) < 0)
		goto out;
	e.phase = "verifying the image";
	if ((ret = verify_whole(&e)) < 0)
		goto out;
	e.phase = "saving the image";
	if ((ret = commit(&e)) < 0)
		goto out;
	r->seconds = mtk_now_s() - e.t0; /* the image is safe: the reset is not part of the read */
	if (!o->no_reboot && e.connected)
		ops->finish(e.dev, true);
out:
	if (ret < 0 && e.connected && !o->no_reboot)
		ops->finish(e.dev, false);
	if (ret == -EINTR && !r->error_context[0])
		ctx_err(&e, ret, "stopped while %s", e.phase);
	if (ret < 0 && !r->error_context[0]) {
		const char *d = dev_detail(&e);

		ctx_err(&e, ret, "%s%s%s", e.phase, *d ? ": " : "", d);
	}
	r->verified = e.st.verified;
	if (ops->fallback && ops->fallback(e.dev)) {
		r->fell_back = true;
		snprintf(r->fallback_reason, sizeof(r->fallback_reason), "%s",
			 ops->fallback(e.dev));
	}
	if (ops->packet_retries)
		r->packet_retries = ops->packet_retries(e.dev);
	if (ops->wire)
		ops->wire(e.dev, &r->wire);
	r->compress = o->no_da				      ? "boot-rom"
		      : o->no_compress			      ? "off"
		      : r->wire.offered || !r->wire.rawchunks ? "auto"
							      : "agent";
	if (e.fd >= 0) {
		if (ret < 0)
			fdatasync(e.fd);
		/* a FILE.part this run made and never recorded anything in: not left behind */
		if (ret < 0 && e.created_part && !e.state_saved)
			unlink(e.part_path);
		close(e.fd);
	}
	if (e.connected || ret < 0)
		ops->close(e.dev);
	free(e.buf);
	free(e.prefix);
	if (ret < 0)
		r->seconds = mtk_now_s() - e.t0;
	return ret;
}
