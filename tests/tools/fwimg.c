/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fwimg: writes flash images for the e2e tests, the fuzzer's seeds and the benchmark.
 *
 *   fwimg demo SIZE OUT                         the demo watch's flash (4M, 8M, 16M)
 *   fwimg synth [options] -o OUT                a synthetic build, see usage()
 *   fwimg kit DIR [options] -o OUT              a real kit (e.g. the corpus) placed in a flash
 *   fwimg corrupt IN -o OUT [--flip OFF] [--truncate LEN] [--fill OFF:LEN:BYTE]
 *                              [--put OFF:HEXBYTES]
 *   fwimg seeds DIR                             small images for the fuzzer's seed corpus */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwimage.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/fwgen.h"

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage:\n"
	    "  fwimg demo SIZE OUT\n"
	    "  fwimg synth [--size S] [--read-size S] [--platform STR] [--project STR]\n"
	    "              [--ids C84016,EF4017] [--ext-bl-off X] [--ext-bl-len X]\n"
	    "              [--rom-off X] [--rom-len X]\n"
	    "              [--viva-len X] [--viva-gap X] [--no-viva] [--fat OFF:LEN]\n"
	    "              [--sds OFF:LEN] [--third-rom OFF:LEN] [--no-hb] [--tiny] [--seed N]\n"
	    "              [--kit-dir DIR] -o OUT   (--kit-dir: also write the kit files)\n"
	    "  fwimg kit DIR [--size S] [--read-size S] [--viva-len X] [--no-viva]\n"
	    "              [--third-rom OFF:LEN] [--no-hb] -o OUT\n"
	    "  fwimg corrupt IN -o OUT [--flip OFF] [--truncate LEN] [--fill OFF:LEN:BYTE]\n"
	    "              [--put OFF:HEXBYTES]\n"
	    "  fwimg seeds DIR\n");
}

static int size_arg(const char *s, uint64_t *v)
{
	if (fwimage_parse_size(s, v) < 0) {
		fprintf(stderr, "fwimg: bad size or offset '%s'\n", s);
		return -1;
	}
	return 0;
}

static int pair_arg(const char *s, uint64_t *a, uint64_t *b)
{
	char buf[64];
	char *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (!colon) {
		fprintf(stderr, "fwimg: expected OFF:LEN, got '%s'\n", s);
		return -1;
	}
	*colon = '\0';
	return size_arg(buf, a) < 0 || size_arg(colon + 1, b) < 0 ? -1 : 0;
}

static int write_out(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

static int cmd_demo(int argc, char **argv)
{
	uint64_t size;
	uint8_t *img;
	size_t len;
	int ret;

	if (argc != 3 || size_arg(argv[1], &size) < 0) {
		usage();
		return 2;
	}
	ret = fwgen_demo((uint32_t)size, &img, &len);
	if (ret < 0) {
		fprintf(stderr, "fwimg: demo: %s\n", mtk_strerror(ret));
		return 1;
	}
	ret = write_out(argv[2], img, len);
	free(img);
	return ret;
}

enum {
	O_SIZE = 256,
	O_READ,
	O_PLATFORM,
	O_PROJECT,
	O_IDS,
	O_EXTOFF,
	O_EXTLEN,
	O_ROMOFF,
	O_ROMLEN,
	O_VIVALEN,
	O_VIVAGAP,
	O_NOVIVA,
	O_FAT,
	O_SDS,
	O_THIRD,
	O_NOHB,
	O_TINY,
	O_SEED,
	O_KITDIR,
};

static const struct option build_opts[] = {
    {"size", required_argument, NULL, O_SIZE},
    {"read-size", required_argument, NULL, O_READ},
    {"platform", required_argument, NULL, O_PLATFORM},
    {"project", required_argument, NULL, O_PROJECT},
    {"ids", required_argument, NULL, O_IDS},
    {"ext-bl-off", required_argument, NULL, O_EXTOFF},
    {"ext-bl-len", required_argument, NULL, O_EXTLEN},
    {"rom-off", required_argument, NULL, O_ROMOFF},
    {"rom-len", required_argument, NULL, O_ROMLEN},
    {"viva-len", required_argument, NULL, O_VIVALEN},
    {"viva-gap", required_argument, NULL, O_VIVAGAP},
    {"no-viva", no_argument, NULL, O_NOVIVA},
    {"fat", required_argument, NULL, O_FAT},
    {"sds", required_argument, NULL, O_SDS},
    {"third-rom", required_argument, NULL, O_THIRD},
    {"no-hb", no_argument, NULL, O_NOHB},
    {"tiny", no_argument, NULL, O_TINY},
    {"seed", required_argument, NULL, O_SEED},
    {"kit-dir", required_argument, NULL, O_KITDIR},
    {"output", required_argument, NULL, 'o'},
    {0, 0, 0, 0},
};

static int parse_ids(const char *s, struct fwgen_fw_opts *fo)
{
	const char *p = s;

	fo->nparts = 0;
	while (*p && fo->nparts < FWGEN_MAX_PARTS) {
		unsigned a, b, c;

		if (sscanf(p, "%2x%2x%2x", &a, &b, &c) != 3)
			return -1;
		fo->part_ids[fo->nparts][0] = (uint8_t)a;
		fo->part_ids[fo->nparts][1] = (uint8_t)b;
		fo->part_ids[fo->nparts][2] = (uint8_t)c;
		fo->nparts++;
		p += 6;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return fo->nparts ? 0 : -1;
}

/* A 128 KiB build for the fuzzer's seeds: every structure, few bytes. */
static void tiny(struct fwgen_fw_opts *fo, struct fwgen_flash_opts *flo)
{
	fo->bl_len = 0x400;
	fo->ext_bl_off = 0x1000;
	fo->ext_bl_len = 0x800;
	fo->rom_off = 0x2000;
	fo->rom_len = 0x1000;
	fo->viva_len = 0x400;
	fo->fat_off = 0x10000;
	fo->fat_len = 0x10000;
	fo->sds_off = 0;
	fo->sds_len = 0;
	fo->nparts = 1;
	fo->part_ids[0][0] = 0xEF;
	fo->part_ids[0][1] = 0x40;
	fo->part_ids[0][2] = 0x11; /* 128 KiB */
	flo->flash_size = 0x20000;
}

/* The generated kit files, named as extract names them, for byte-for-byte comparisons. */
static int write_kit(const char *dir, const struct fw_blob *files, int n)
{
	if (mkdir_p(dir, 0755) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char path[MTK_PATH_MAX], name[32];
		uint16_t type = 0;

		fwimage_file_info(&files[i], &type, NULL, NULL);
		switch (type) {
		case 0x0001:
			snprintf(name, sizeof(name), "BOOTLOADER");
			break;
		case 0x0002:
			snprintf(name, sizeof(name), "EXT_BOOTLOADER");
			break;
		case 0x0100:
			snprintf(name, sizeof(name), "ROM");
			break;
		case 0x0108:
			snprintf(name, sizeof(name), "VIVA");
			break;
		case 0x0103:
			/* one extra image of a type: extract names a second one by address */
			snprintf(name, sizeof(name), "THIRD_ROM");
			break;
		default:
			snprintf(name, sizeof(name), "FILE_0x%04X", type);
			break;
		}
		if (path_join(path, dir, name) < 0 || write_out(path, files[i].data, files[i].len))
			return 1;
	}
	return 0;
}

static int cmd_synth(int argc, char **argv)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {0};
	struct fw_blob files[FWGEN_MAX_FILES];
	const char *out = NULL, *kit_dir = NULL;
	uint64_t v, w;
	uint8_t *img;
	size_t len;
	int opt, n, ret;

	fwgen_demo_options(4u << 20, &fo);
	flo.flash_size = 4u << 20;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:", build_opts, NULL)) != -1) {
		switch (opt) {
		case O_SIZE:
			if (size_arg(optarg, &v) < 0)
				return 2;
			if (v == (16u << 20)) {
				struct fwgen_fw_opts big;
				fwgen_demo_options(16u << 20, &big);
				fo.nparts = big.nparts;
				memcpy(fo.part_ids, big.part_ids, sizeof(big.part_ids));
				fo.fat_off = big.fat_off;
				fo.fat_len = big.fat_len;
				fo.sds_off = big.sds_off;
				fo.sds_len = big.sds_len;
			}
			flo.flash_size = v;
			break;
		case O_READ:
			if (size_arg(optarg, &flo.read_size) < 0)
				return 2;
			break;
		case O_PLATFORM:
			fo.platform_id = optarg;
			break;
		case O_PROJECT:
			fo.project_id = optarg;
			break;
		case O_IDS:
			if (parse_ids(optarg, &fo) < 0) {
				fprintf(stderr, "fwimg: bad --ids '%s'\n", optarg);
				return 2;
			}
			break;
		case O_EXTOFF:
		case O_EXTLEN:
		case O_ROMOFF:
		case O_ROMLEN:
		case O_VIVALEN:
		case O_VIVAGAP:
			if (size_arg(optarg, &v) < 0)
				return 2;
			*(opt == O_EXTOFF    ? &fo.ext_bl_off
			  : opt == O_EXTLEN  ? &fo.ext_bl_len
			  : opt == O_ROMOFF  ? &fo.rom_off
			  : opt == O_ROMLEN  ? &fo.rom_len
			  : opt == O_VIVALEN ? &fo.viva_len
					     : &fo.viva_gap) = (uint32_t)v;
			break;
		case O_NOVIVA:
			fo.no_viva = true;
			break;
		case O_FAT:
		case O_SDS:
			if (pair_arg(optarg, &v, &w) < 0)
				return 2;
			if (opt == O_FAT) {
				fo.fat_off = (uint32_t)v;
				fo.fat_len = (uint32_t)w;
			} else {
				fo.sds_off = (uint32_t)v;
				fo.sds_len = (uint32_t)w;
			}
			break;
		case O_THIRD:
			if (pair_arg(optarg, &v, &w) < 0 || fo.nextras >= FWGEN_MAX_EXTRAS)
				return 2;
			fo.extras[fo.nextras].file_type = 0x0103;
			fo.extras[fo.nextras].offset = (uint32_t)v;
			fo.extras[fo.nextras].len = (uint32_t)w;
			fo.nextras++;
			break;
		case O_NOHB:
			flo.no_header_block = true;
			break;
		case O_TINY:
			tiny(&fo, &flo);
			break;
		case O_SEED:
			fo.seed = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case O_KITDIR:
			kit_dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage();
		return 2;
	}
	ret = fwgen_firmware(&fo, files, &n);
	if (ret < 0) {
		fprintf(stderr, "fwimg: firmware: %s\n", mtk_strerror(ret));
		return 1;
	}
	if (kit_dir && write_kit(kit_dir, files, n)) {
		fwgen_blobs_free(files, n);
		return 1;
	}
	flo.seed = fo.seed;
	ret = fwgen_flash(files, n, &flo, &img, &len);
	fwgen_blobs_free(files, n);
	if (ret < 0) {
		fprintf(stderr, "fwimg: flash: %s\n", mtk_strerror(ret));
		return 1;
	}
	ret = write_out(out, img, len);
	free(img);
	return ret;
}

static int cmd_kit(int argc, char **argv)
{
	struct fwimage_kit_opts ko = {0};
	const char *out = NULL, *dir;
	uint64_t v, w;
	uint8_t *img;
	size_t len;
	int opt, ret;

	if (argc < 2) {
		usage();
		return 2;
	}
	dir = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o:", build_opts, NULL)) != -1) {
		switch (opt) {
		case O_SIZE:
			if (size_arg(optarg, &ko.flash_size) < 0)
				return 2;
			break;
		case O_READ:
			if (size_arg(optarg, &ko.read_size) < 0)
				return 2;
			break;
		case O_VIVALEN:
			if (size_arg(optarg, &v) < 0)
				return 2;
			ko.viva_len = (uint32_t)v;
			break;
		case O_NOVIVA:
			ko.no_viva = true;
			break;
		case O_THIRD:
			if (pair_arg(optarg, &v, &w) < 0)
				return 2;
			ko.third_rom_off = (uint32_t)v;
			ko.third_rom_len = (uint32_t)w;
			break;
		case O_NOHB:
			ko.no_header_block = true;
			break;
		case O_SEED:
			ko.seed = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage();
		return 2;
	}
	ret = fwimage_from_kit(dir, &ko, &img, &len);
	if (ret < 0) {
		fprintf(stderr, "fwimg: kit %s: %s\n", dir, mtk_strerror(ret));
		return 1;
	}
	ret = write_out(out, img, len);
	free(img);
	return ret;
}

static int cmd_corrupt(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"flip", required_argument, NULL, 'F'},   {"truncate", required_argument, NULL, 'T'},
	    {"fill", required_argument, NULL, 'L'},   {"put", required_argument, NULL, 'P'},
	    {"output", required_argument, NULL, 'o'}, {0, 0, 0, 0},
	};
	const char *out = NULL;
	uint8_t *img;
	size_t len;
	int opt, ret;

	if (argc < 2) {
		usage();
		return 2;
	}
	ret = read_whole_file(argv[1], &img, &len, 1u << 30);
	if (ret < 0) {
		fprintf(stderr, "fwimg: %s: %s\n", argv[1], mtk_strerror(ret));
		return 1;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		uint64_t off, n;
		char buf[128], *a, *b;

		switch (opt) {
		case 'F':
			if (size_arg(optarg, &off) < 0 || off >= len)
				goto bad;
			img[off] ^= 0x01;
			break;
		case 'T':
			if (size_arg(optarg, &n) < 0 || n > len)
				goto bad;
			len = (size_t)n;
			break;
		case 'L':
			snprintf(buf, sizeof(buf), "%s", optarg);
			a = strchr(buf, ':');
			b = a ? strchr(a + 1, ':') : NULL;
			if (!a || !b)
				goto bad;
			*a = *b = '\0';
			if (size_arg(buf, &off) < 0 || size_arg(a + 1, &n) < 0 || off + n > len)
				goto bad;
			memset(img + off, (int)strtoul(b + 1, NULL, 0), (size_t)n);
			break;
		case 'P':
			snprintf(buf, sizeof(buf), "%s", optarg);
			a = strchr(buf, ':');
			if (!a)
				goto bad;
			*a++ = '\0';
			if (size_arg(buf, &off) < 0)
				goto bad;
			for (; a[0] && a[1]; a += 2, off++) {
				unsigned byte;
				if (off >= len || sscanf(a, "%2x", &byte) != 1)
					goto bad;
				img[off] = (uint8_t)byte;
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto bad;
		}
	}
	if (!out || optind != argc)
		goto bad;
	ret = write_out(out, img, len);
	free(img);
	return ret;
bad:
	usage();
	free(img);
	return 2;
}

/* Small, varied inputs that reach every parser: a healthy tiny build, a mirrored one, one
 * without header block, one with an extra image, truncated and damaged variants. */
static int cmd_seeds(int argc, char **argv)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {0};
	struct fw_blob files[FWGEN_MAX_FILES];
	char path[MTK_PATH_MAX];
	uint8_t *img;
	size_t len;
	int n, rc = 0;

	if (argc != 2 || mkdir_p(argv[1], 0755) < 0) {
		usage();
		return 2;
	}
	for (int v = 0; v < 6 && rc == 0; v++) {
		fwgen_demo_options(4u << 20, &fo);
		tiny(&fo, &flo);
		flo.read_size = v == 1 ? 0x40000 : 0;
		flo.no_header_block = v == 2;
		fo.seed = 0x1000u + (uint32_t)v;
		if (v == 3) {
			fo.nextras = 1;
			fo.extras[0] = (struct fwgen_extra){0x0103, 0x8000, 0x400};
		}
		if (fwgen_firmware(&fo, files, &n) < 0 ||
		    fwgen_flash(files, n, &flo, &img, &len) < 0)
			return 1;
		fwgen_blobs_free(files, n);
		if (v == 4)
			len = 0x2800; /* cut inside ROM */
		if (v == 5)
			img[0x900] ^= 0x40; /* BOOTLOADER byte */
		snprintf(path, sizeof(path), "%s/seed-%d.bin", argv[1], v);
		rc = write_out(path, img, len);
		free(img);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (!strcmp(argv[1], "demo"))
		return cmd_demo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "synth"))
		return cmd_synth(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kit"))
		return cmd_kit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "corrupt"))
		return cmd_corrupt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "seeds"))
		return cmd_seeds(argc - 1, argv + 1);
	usage();
	return 2;
}
