/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fwimage.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mtkbak/fsutil.h"
#include "mtkbak/byteorder.h"

const char *fwimage_corpus_dir(const char *sub, char *buf, size_t len)
{
	const char *root = getenv("MTKBAK_CORPUS");
	struct stat st;
	int n;

	if (!root || !*root)
		return NULL;
	n = snprintf(buf, len, "%s/%s", root, sub ? sub : "");
	if (n < 0 || (size_t)n >= len || stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return buf;
}

int fwimage_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int fwimage_file_info(const struct fw_blob *b, uint16_t *type, uint32_t *load, uint32_t *len)
{
	if (!b->data || b->len < 0x38 ||
	    memcmp(b->data,
		   "MMM\x01\x38\x00\x00\x00"
		   "FILE_INFO",
		   17))
		return -EINVAL;
	if (type)
		*type = (uint16_t)(b->data[0x18] | (b->data[0x19] << 8));
	if (load)
		*load = mtk_get_le32(b->data + 0x1C);
	if (len)
		*len = mtk_get_le32(b->data + 0x20);
	return 0;
}

int fwimage_load_kit(const char *dir, struct fw_blob *files, char (*names)[64], int max, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0, ret = 0;

	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char path[MTK_PATH_MAX];
		struct fw_blob b;
		struct stat st;

		if (e->d_name[0] == '.' || path_join(path, dir, e->d_name) < 0)
			continue;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		ret = read_whole_file(path, &b.data, &b.len, 64u << 20);
		if (ret < 0)
			break;
		if (fwimage_file_info(&b, NULL, NULL, NULL) < 0) {
			free(b.data);
			continue;
		}
		if (count >= max) {
			free(b.data);
			ret = -ENOSPC;
			break;
		}
		files[count] = b;
		if (names)
			snprintf(names[count], 64, "%.63s", e->d_name);
		count++;
	}
	closedir(d);
	if (ret < 0) {
		fwgen_blobs_free(files, count);
		return ret;
	}
	/* stable order: by file type */
	for (int i = 1; i < count; i++)
		for (int k = i; k > 0; k--) {
			uint16_t a = 0, b = 0;
			fwimage_file_info(&files[k - 1], &a, NULL, NULL);
			fwimage_file_info(&files[k], &b, NULL, NULL);
			if (a <= b)
				break;
			struct fw_blob t = files[k];
			files[k] = files[k - 1];
			files[k - 1] = t;
			if (names) {
				char tn[64];
				memcpy(tn, names[k], 64);
				memcpy(names[k], names[k - 1], 64);
				memcpy(names[k - 1], tn, 64);
			}
		}
	*n = count;
	return 0;
}

int fwimage_from_kit(const char *dir, const struct fwimage_kit_opts *o, uint8_t **out, size_t *len)
{
	struct fw_blob files[FWGEN_MAX_FILES];
	struct fwgen_flash_opts fo = {0};
	bool have_viva = false;
	uint32_t rom_end = 0;
	int n, ret;

	*out = NULL;
	*len = 0;
	ret = fwimage_load_kit(dir, files, NULL, FWGEN_MAX_FILES - 2, &n);
	if (ret < 0)
		return ret;
	for (int i = 0; i < n; i++) {
		uint16_t type;
		uint32_t load, flen;

		fwimage_file_info(&files[i], &type, &load, &flen);
		if (type == 0x0108)
			have_viva = true;
		if (type == 0x0100)
			rom_end = (load & 0x07FFFFFFu) + flen;
	}
	if (!have_viva && !o->no_viva && rom_end) {
		ret = fwgen_viva(rom_end + 0x400, o->viva_len ? o->viva_len : 0x280000,
				 o->seed ^ 0x5649u, &files[n]);
		if (ret < 0)
			goto out;
		n++;
	}
	if (o->third_rom_len) {
		ret = fwgen_xip_image(0x0103, o->third_rom_off, o->third_rom_len, o->seed ^ 0x3ull,
				      &files[n]);
		if (ret < 0)
			goto out;
		n++;
	}
	fo.flash_size = o->flash_size ? o->flash_size : 16u << 20;
	fo.read_size = o->read_size;
	fo.no_header_block = o->no_header_block;
	fo.seed = o->seed;
	ret = fwgen_flash(files, n, &fo, out, len);
out:
	fwgen_blobs_free(files, n);
	return ret;
}

int fwimage_synth(const struct fwgen_fw_opts *fo, const struct fwgen_flash_opts *flo, uint8_t **out,
		  size_t *len)
{
	struct fw_blob files[FWGEN_MAX_FILES];
	int n, ret = fwgen_firmware(fo, files, &n);

	if (ret < 0)
		return ret;
	ret = fwgen_flash(files, n, flo, out, len);
	fwgen_blobs_free(files, n);
	return ret;
}
