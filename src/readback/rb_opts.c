/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Option helpers shared by `mtkbak read` and `mtkbak pull`. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "readback/rb_internal.h"

void readback_opts_default(struct readback_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->open_timeout_ms = -1;
	o->reconnect_timeout_ms = 60000;
	o->max_reconnects = RB_DEFAULT_RECONNECTS;
	o->chunk_size = RB_DEFAULT_CHUNK;
}

int readback_parse_length(const char *text, uint32_t *out, char *err, size_t errlen)
{
	unsigned long long n;
	char *end;

	*out = 0;
	if (!text || !strcmp(text, "auto"))
		return 0;
	if (!isdigit((unsigned char)text[0])) {
		snprintf(err, errlen, "--length must be auto, 4M, 8M, 16M or a number of bytes");
		return -EINVAL;
	}
	errno = 0;
	n = strtoull(text, &end, 0);
	if (errno) {
		snprintf(err, errlen, "--length is too large");
		return -EINVAL;
	}
	if ((end[0] == 'K' || end[0] == 'k') && (!end[1] || !strcmp(end + 1, "iB"))) {
		n = n > READBACK_MAX_SIZE ? READBACK_MAX_SIZE + 1ull : n * 1024ull;
	} else if ((end[0] == 'M' || end[0] == 'm') && (!end[1] || !strcmp(end + 1, "iB"))) {
		/* no multiplication that could wrap: anything above 16M is refused below */
		n = n > READBACK_MAX_SIZE ? READBACK_MAX_SIZE + 1ull : n * 1024ull * 1024ull;
	} else if (*end) {
		snprintf(err, errlen, "--length '%s': unknown unit (use K or M)", text);
		return -EINVAL;
	}
	if (n == 0 || n > READBACK_MAX_SIZE) {
		snprintf(err, errlen,
			 "--length must be between 4 bytes and 16M (the 3-byte address "
			 "range of a serial flash)");
		return -EINVAL;
	}
	if (n % 4) {
		snprintf(err, errlen,
			 "--length must be a multiple of 4 (the boot ROM reads words)");
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

int readback_state_path(const char *out_path, char *state_path, size_t len)
{
	int n = snprintf(state_path, len, "%s.part.state", out_path);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}
