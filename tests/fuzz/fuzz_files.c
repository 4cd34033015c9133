/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: what mtkbak reads back from disk. The first byte picks the input: the
 * read's progress record (FILE.part.state), or a kit folder whose SHA256SUMS and .cfg are the
 * fuzzer's bytes (split at the first NUL), checked by kit_check_dir the way `mtkbak check DIR`
 * does. A parsed record must satisfy what the engine relies on. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/extract.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/kit.h"
#include "readback/rb_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[MTK_PATH_MAX];
	FILE *f;

	if (path_join(path, dir, name) < 0 || !(f = fopen(path, "wb")))
		abort();
	if (n)
		fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct rb_state s;
		char why[160];

		if (rb_state_parse((const char *)data + 1, size - 1, &s, why, sizeof(why)) == 0) {
			char buf[RB_STATE_MAX];
			struct rb_state again;
			int n;

			if (s.size == 0 || s.size > READBACK_MAX_SIZE || s.verified > s.size)
				__builtin_trap();
			/* what is written reads back the same */
			n = rb_state_format(&s, buf, sizeof(buf));
			if (n < 0 ||
			    rb_state_parse(buf, (size_t)n, &again, why, sizeof(why)) != 0 ||
			    memcmp(&again, &s, sizeof(s)))
				__builtin_trap();
		}
		return 0;
	}
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mtkbak-fuzzkit-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	const uint8_t *nul = memchr(data + 1, 0, size - 1);
	size_t n1 = nul ? (size_t)(nul - data - 1) : size - 1;
	struct fw_checked *c = NULL;

	put("SHA256SUMS", data + 1, n1);
	put("firmware.cfg", nul ? nul + 1 : data, nul ? size - 2 - n1 : 0);
	put("ROM", data, size > 4096 ? 4096 : size);
	if (kit_check_dir(dir, NULL, &c) == 0)
		fw_checked_free(c);
	return 0;
}
