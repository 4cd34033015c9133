/* SPDX-License-Identifier: GPL-3.0-or-later */
/* zstat: what the agent's compressed READ would send for a flash image, per region.
 *
 *   zstat IMAGE [--block N] [--region NAME:OFF:LEN]...
 *
 * Each block of N bytes (default 4096, the READ packet) is classed as erased (all 0xFF: an
 * erased-block marker), compressed (agent/core/lz4_enc.c shrank it) or raw, and counted in
 * the first region that holds its offset ("other" if none). Wire bytes include the packet
 * header and CRC (AGENT_ZPKT_OVERHEAD). The encoder's host speed is printed too. The decoder
 * (src/wire/lz4_block.c) checks every block round trip. Used by bench/read.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lz4_enc.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/lz4_block.h"

#define MAX_REGIONS 8

struct region {
	char name[16];
	unsigned long long off, len;
	unsigned long long bytes, erased, zin, zout, raw, wire;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct region reg[MAX_REGIONS + 1];
	int nreg = 0;
	unsigned long block = 4096;
	const char *path = NULL;
	uint8_t *img, *out, *back;
	uint16_t tab[AGENT_LZ4_TAB];
	long size;
	FILE *f;
	double t_enc = 0, enc_bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--block") && i + 1 < argc) {
			block = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--region") && i + 1 < argc && nreg < MAX_REGIONS) {
			struct region *r = &reg[nreg];

			memset(r, 0, sizeof(*r));
			if (sscanf(argv[++i], "%15[^:]:%lli:%lli", r->name, (long long *)&r->off,
				   (long long *)&r->len) != 3) {
				fprintf(stderr, "zstat: --region NAME:OFF:LEN\n");
				return 2;
			}
			nreg++;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr,
				"usage: zstat IMAGE [--block N] [--region NAME:OFF:LEN]...\n");
			return 2;
		}
	}
	if (!path || block < 16 || block > AGENT_ZBLOCK_MAX) {
		fprintf(stderr, "usage: zstat IMAGE [--block 16..%u] [--region NAME:OFF:LEN]...\n",
			AGENT_ZBLOCK_MAX);
		return 2;
	}
	memset(&reg[nreg], 0, sizeof(reg[nreg]));
	snprintf(reg[nreg].name, sizeof(reg[nreg].name), "other");
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "zstat: cannot read %s\n", path);
		return 1;
	}
	img = malloc((size_t)size);
	out = malloc(block);
	back = malloc(block);
	if (!img || !out || !back || fread(img, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "zstat: cannot read %s\n", path);
		return 1;
	}
	fclose(f);
	for (long off = 0; off < size; off += (long)block) {
		unsigned long n =
		    (unsigned long)(size - off) < block ? (unsigned long)(size - off) : block;
		const uint8_t *p = img + off;
		struct region *r = &reg[nreg];
		int erased = 1;
		uint32_t z;
		double t0;

		for (int k = 0; k < nreg; k++)
			if ((unsigned long long)off >= reg[k].off &&
			    (unsigned long long)off < reg[k].off + reg[k].len) {
				r = &reg[k];
				break;
			}
		r->bytes += n;
		for (unsigned long i = 0; i < n && erased; i++)
			erased = p[i] == 0xFF;
		if (erased) {
			r->erased += n;
			r->wire += AGENT_ZPKT_OVERHEAD;
			continue;
		}
		t0 = now_s();
		z = agent_lz4_block(p, (uint32_t)n, out, (uint32_t)n - 1u, tab);
		t_enc += now_s() - t0;
		enc_bytes += (double)n;
		if (z) {
			if (mtk_lz4_decode(out, z, back, n) != 0 || memcmp(back, p, n) != 0) {
				fprintf(stderr, "zstat: round trip failed at 0x%lX\n", off);
				return 1;
			}
			r->zin += n;
			r->zout += z;
			r->wire += AGENT_ZPKT_OVERHEAD + z;
		} else {
			r->raw += n;
			r->wire += AGENT_ZPKT_OVERHEAD + n;
		}
	}
	{
		unsigned long long tb = 0, tw = 0, eb = 0, ew = 0;

		printf("%-10s %10s %8s %8s %8s %10s %7s\n", "region", "bytes", "erased", "lz4",
		       "raw", "wire", "saved");
		for (int k = 0; k <= nreg; k++) {
			struct region *r = &reg[k];

			if (!r->bytes)
				continue;
			tb += r->bytes;
			tw += r->wire;
			eb += r->erased;
			ew += (r->erased + block - 1) / block * AGENT_ZPKT_OVERHEAD;
			printf("%-10s %10llu %7.1f%% %7.1f%% %7.1f%% %10llu %6.1f%%", r->name,
			       r->bytes, 100.0 * (double)r->erased / (double)r->bytes,
			       100.0 * (double)r->zin / (double)r->bytes,
			       100.0 * (double)r->raw / (double)r->bytes, r->wire,
			       100.0 * (1.0 - (double)r->wire / (double)r->bytes));
			if (r->zin)
				printf("  (lz4 blocks %.3fx)", (double)r->zin / (double)r->zout);
			printf("\n");
		}
		if (eb)
			printf("%-10s %10llu %35s %10llu %6.1f%%  (erased blocks of all regions)\n",
			       "erased", eb, "", ew, 100.0 * (1.0 - (double)ew / (double)eb));
		printf("%-10s %10llu %35s %10llu %6.1f%%  (raw READ: %llu)\n", "total", tb, "", tw,
		       100.0 * (1.0 - (double)tw / (double)tb),
		       tb + ((tb + block - 1) / block) * AGENT_PACKET_OVERHEAD);
		printf("encoder on this host: %.1f MB/s over %.0f non-erased bytes\n",
		       enc_bytes / (t_enc > 0 ? t_enc : 1e-9) / 1e6, enc_bytes);
	}
	free(img);
	free(out);
	free(back);
	return 0;
}
