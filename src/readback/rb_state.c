/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The progress record next to FILE.part: which watch, how big, and how much of FILE.part is
 * verified (with its CRC-32, so a rerun can prove the kept bytes are still the verified ones).
 * Plain text so a user can read it; parsed strictly because it comes from disk. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "readback/rb_internal.h"
#include "util/compat.h"

#define STATE_MAGIC "mtkbak-readback-state 1"

int rb_state_format(const struct rb_state *s, char *buf, size_t len)
{
	char me[33], jedec[8] = "none";
	int n;

	for (int i = 0; i < 16; i++)
		snprintf(me + 2 * i, 3, "%02x", s->me_id[i]);
	if (s->have_jedec)
		snprintf(jedec, sizeof(jedec), "%02x%02x%02x", s->jedec[0], s->jedec[1],
			 s->jedec[2]);
	n = snprintf(buf, len,
		     STATE_MAGIC "\n"
				 "# progress of 'mtkbak read'; remove this file and the .part file "
				 "to start over\n"
				 "size %u\n"
				 "me_id %s\n"
				 "jedec %s\n"
				 "verified %u\n"
				 "verified_crc32 %08x\n",
		     s->size, me, jedec, s->verified, s->verified_crc);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

static int parse_hex(const char *v, uint8_t *out, size_t n)
{
	if (strlen(v) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = v[2 * i], lo = v[2 * i + 1];

		if (!isxdigit(hi) || !isxdigit(lo))
			return -EINVAL;
		hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
		lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_u32(const char *v, int base, uint32_t *out)
{
	char *end;
	unsigned long long n;

	if (!*v || !isxdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, base);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

#define WHY(...)                                                                                   \
	do {                                                                                       \
		snprintf(why, whylen, __VA_ARGS__);                                                \
		return -EINVAL;                                                                    \
	} while (0)

int rb_state_parse(const char *text, size_t len, struct rb_state *s, char *why, size_t whylen)
{
	char buf[RB_STATE_MAX + 1];
	char *save = NULL;
	unsigned seen = 0;
	enum { K_SIZE = 1, K_ME = 2, K_JEDEC = 4, K_VER = 8, K_CRC = 16, K_ALL = 31 };

	memset(s, 0, sizeof(*s));
	if (len > RB_STATE_MAX)
		WHY("the progress record is too long");
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		WHY("the progress record contains a NUL byte");
	if (strncmp(buf, STATE_MAGIC "\n", strlen(STATE_MAGIC) + 1) != 0)
		WHY("not a progress record of this mtkbak version");
	for (char *line = strtok_r(buf + strlen(STATE_MAGIC) + 1, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *val;
		unsigned key;

		if (line[0] == '#')
			continue;
		val = strchr(line, ' ');
		if (!val)
			WHY("bad line in the progress record");
		*val++ = '\0';
		if (!strcmp(line, "size")) {
			key = K_SIZE;
			if (parse_u32(val, 10, &s->size) < 0 || s->size == 0 ||
			    s->size > READBACK_MAX_SIZE)
				WHY("bad size in the progress record");
		} else if (!strcmp(line, "me_id")) {
			key = K_ME;
			if (parse_hex(val, s->me_id, 16) < 0)
				WHY("bad me_id in the progress record");
		} else if (!strcmp(line, "jedec")) {
			key = K_JEDEC;
			if (!strcmp(val, "none"))
				s->have_jedec = false;
			else if (parse_hex(val, s->jedec, 3) == 0)
				s->have_jedec = true;
			else
				WHY("bad jedec in the progress record");
		} else if (!strcmp(line, "verified")) {
			key = K_VER;
			if (parse_u32(val, 10, &s->verified) < 0)
				WHY("bad verified offset in the progress record");
		} else if (!strcmp(line, "verified_crc32")) {
			key = K_CRC;
			if (strlen(val) != 8 || parse_u32(val, 16, &s->verified_crc) < 0)
				WHY("bad verified_crc32 in the progress record");
		} else {
			WHY("unknown key '%.32s' in the progress record", line);
		}
		if (seen & key)
			WHY("'%s' appears twice in the progress record", line);
		seen |= key;
	}
	if (seen != K_ALL)
		WHY("the progress record is incomplete");
	if (s->verified > s->size)
		WHY("the progress record's verified offset is beyond its size");
	return 0;
}

int rb_state_save(const char *path, const struct rb_state *s, bool durable)
{
	char buf[RB_STATE_MAX], tmp[MTK_PATH_MAX];
	int n = rb_state_format(s, buf, sizeof(buf)), fd, ret = 0;

	if (n < 0)
		return n;
	if (durable)
		return atomic_write_file(path, buf, (size_t)n, true);
	/* Written and renamed, not fsynced: after a power cut the record is the old one or
	 * unreadable, and a rerun checks the .part against its CRC before trusting it. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = fs_create_tmp(tmp); /* exclusive and no-follow: a link there is removed, not used */
	if (fd < 0)
		return mtk_output_err(fd);
	if (write(fd, buf, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0)
		ret = fs_replace_nosync(tmp, path);
	if (ret < 0)
		unlink(tmp);
	return mtk_output_err(ret);
}

int rb_state_load(const char *path, struct rb_state *s, char *why, size_t whylen)
{
	uint8_t *buf;
	size_t len;
	int ret = read_whole_file(path, &buf, &len, RB_STATE_MAX);

	if (mtk_errno(ret) == -EFBIG) {
		snprintf(why, whylen, "the progress record is too long");
		return -EINVAL;
	}
	if (ret < 0) {
		snprintf(why, whylen, "cannot read the progress record: %s", mtk_strerror(ret));
		return ret;
	}
	ret = rb_state_parse((const char *)buf, len, s, why, whylen);
	free(buf);
	return ret;
}

int readback_state_me_id(const char *state_path, uint8_t me_id[16])
{
	struct rb_state s;
	char why[160];
	int ret = rb_state_load(state_path, &s, why, sizeof(why));

	if (ret < 0)
		return mtk_errno(ret) == -ENOENT ? -ENOENT : -EINVAL;
	memcpy(me_id, s.me_id, 16);
	return 0;
}
