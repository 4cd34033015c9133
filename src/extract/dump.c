/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Holding a dump in memory once: one read into a buffer (never a mapping: a file truncated
 * under a mapping kills the reader with SIGBUS). */
#include "mtkbak/errors.h"
#include "mtkbak/extract.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif
#ifndef O_BINARY
#define O_BINARY 0 /* Windows: no newline translation */
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif

void dump_wrap(struct fw_dump *d, const uint8_t *data, uint64_t len)
{
	memset(d, 0, sizeof(*d));
	d->data = data;
	d->len = len;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the file shrank while we read it */
		done += (size_t)n;
	}
	return 0;
}

int dump_map(const char *path, struct fw_dump *d)
{
	struct stat st;
	int fd, ret = 0;

	memset(d, 0, sizeof(*d));
	/* O_NONBLOCK: a FIFO must not block the open (it is refused below as not regular) */
	fd = open(path, O_RDONLY | O_BINARY | O_NONBLOCK);
	if (fd < 0)
		return mtk_input_err(-errno);
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL; /* a device or pipe: read it into a file first */
		goto out;
	}
	if ((uint64_t)st.st_size > FW_MAX_DUMP_SIZE) {
		ret = -MTK_EDATA; /* far larger than any serial NOR: not a flash readback */
		goto out;
	}
	if (st.st_size == 0) {
		static const uint8_t empty[1];

		dump_wrap(d, empty, 0);
		goto out;
	}
	/* Read, never mapped: another program truncating a mapped file would kill this one
	 * with SIGBUS; a read sees the shorter file and fails cleanly (-EIO). */
#ifndef _WIN32
	{
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
#endif
	d->owned = malloc((size_t)st.st_size);
	if (!d->owned) {
		ret = -ENOMEM;
		goto out;
	}
	ret = read_all(fd, d->owned, (size_t)st.st_size);
	if (ret < 0) {
		free(d->owned);
		d->owned = NULL;
		goto out;
	}
	d->data = d->owned;
	d->len = (uint64_t)st.st_size;
out:
	close(fd);
	return mtk_input_err(ret);
}

void dump_unmap(struct fw_dump *d)
{
#ifndef _WIN32
	if (d->map_base)
		munmap(d->map_base, d->map_len);
#endif
	free(d->owned);
	memset(d, 0, sizeof(*d));
}
