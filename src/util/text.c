/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sizes and bytes as text (include/mtkbak/text.h). */
#include "mtkbak/text.h"

#include <stdio.h>

void mtk_size_text(uint64_t n, char *out, size_t len)
{
	static const struct {
		uint64_t unit;
		const char *name;
	} units[] = {{1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};

	if (!len)
		return;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t u = units[i].unit, tenths;

		if (n < u)
			continue;
		if (n % u == 0) {
			snprintf(out, len, "%llu %s", (unsigned long long)(n / u), units[i].name);
			return;
		}
		/* rounded tenths without floating point (n / u * 10 + the rounded remainder) */
		tenths = n / u * 10 + ((n % u) * 10 + u / 2) / u;
		if (tenths % 10) {
			snprintf(out, len, "%llu.%llu %s", (unsigned long long)(tenths / 10),
				 (unsigned long long)(tenths % 10), units[i].name);
			return;
		}
	}
	snprintf(out, len, "%llu B", (unsigned long long)n);
}

void mtk_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
