/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers for firmware images: the corpus path, loading a real kit from a folder and
 * assembling full flash images from it with the generator (src/fwgen). */
#ifndef MTKBAK_TESTS_FWIMAGE_H
#define MTKBAK_TESTS_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/fwgen.h"

/* $MTKBAK_CORPUS/SUB if that folder exists, else NULL (the caller skips with exit 77). */
const char *fwimage_corpus_dir(const char *sub, char *buf, size_t len);

/* "16M", "8M", "4096K", "0x400000", "123" -> bytes. 0 or -EINVAL. */
int fwimage_parse_size(const char *s, uint64_t *out);

/* Loads every regular file in DIR that starts with a GFH FILE_INFO (other files, such as the
 * cfg, are skipped), sorted by file type. *n files, caller frees with fwgen_blobs_free.
 * names[i] (may be NULL) receives each file's name. */
int fwimage_load_kit(const char *dir, struct fw_blob *files, char (*names)[64], int max, int *n);

struct fwimage_kit_opts {
	uint64_t flash_size; /* 0: 16 MiB */
	uint64_t read_size;  /* 0: flash_size */
	uint32_t viva_len;   /* VIVA made when the kit has none; 0: 0x280000 */
	bool no_viva;
	uint32_t third_rom_off, third_rom_len; /* 0: none */
	bool no_header_block;
	uint32_t seed;
};

/* A full flash image from the real kit in DIR plus a constructed VIVA (at ROM end + 0x400)
 * and extra images. Caller frees *out. */
int fwimage_from_kit(const char *dir, const struct fwimage_kit_opts *o, uint8_t **out, size_t *len);

/* fwgen_firmware + fwgen_flash in one call. */
int fwimage_synth(const struct fwgen_fw_opts *fo, const struct fwgen_flash_opts *flo, uint8_t **out,
		  size_t *len);

/* Reads FILE_INFO type/load/len from a blob (0 or -EINVAL). */
int fwimage_file_info(const struct fw_blob *b, uint16_t *type, uint32_t *load, uint32_t *len);

#endif
