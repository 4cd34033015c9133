/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sizes and bytes as text, one format everywhere (messages, reports, progress lines). */
#ifndef MTKBAK_TEXT_H
#define MTKBAK_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A byte count in the largest binary unit that shows it honestly: a whole number when it is
 * an exact multiple ("4 MiB", "512 KiB"), else one decimal ("1.5 MiB"); a value that would
 * round to a whole number without being one ("4.0 MiB" for 4 MiB - 1) goes to the next
 * smaller unit, down to bytes ("100 B", "4194303 B"). Units: B, KiB, MiB, GiB. out is always
 * NUL-terminated (truncated when len is short; MTK_SIZE_TEXT_LEN always fits). */
#define MTK_SIZE_TEXT_LEN 32
void mtk_size_text(uint64_t n, char *out, size_t len);

/* Lower-case hex of len bytes into out (2*len+1 bytes), e.g. a SHA-256 or an ME ID. */
void mtk_hex(const uint8_t *in, size_t len, char *out);

#endif
