/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Each real boot ROM's own D7 (SEND_DA) address check, run under Unicorn, must accept
 * mtkbak's agent where the chip table loads it (issue 12: MT6250 refused 0x70007000).
 *
 * For each dump in corpus/brom the test calls two ROM functions, found by disassembly
 * (arm-none-eabi-objdump -b binary -m arm -M force-thumb --adjust-vma=0xFFF00000):
 *   setup:     clears the ROM's region tables and points them at its forbidden-region
 *              table (MT6261 0xFFF04FA4 -> 0xFFF0504C: *0x7000444C = 0xFFF08134, count 7)
 *   validator: D7's check of (addr, size, sig_len): odd address, size 0, size <= sig_len,
 *              the secure check for unsigned code, then the region check with mask 0x19F;
 *              below 0xFF is accepted, 0x1D0D + n refused (0x1D12: forbidden range)
 * with the agent's load address and its whole footprint (image + stack, from the image
 * header), and checks the ROM accepts it; a control case checks the ROM refuses a range it
 * must refuse, so the harness can fail. libunicorn is loaded with dlopen; the test skips
 * (77) without it or without the corpus. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<unicorn/unicorn.h>)
#include <unicorn/unicorn.h>
#define HAVE_UNICORN_H 1
#endif
#endif

#include "mtkbak/chip.h"
#include "mtkbak/da.h"
#include "mtkbak/fsutil.h"

#ifdef HAVE_UNICORN_H

#define BROM_BASE 0xFFF00000u
#define SRAM_BASE 0x70000000u
#define SRAM_SIZE 0x10000u
#define PERI_BASE 0xA0000000u
#define PERI_SIZE 0x01000000u
#define CFG_BASE  0x80000000u
#define STOP_ADDR 0x60000000u /* returns land here */
#define STACK_TOP 0x7000FF00u

struct uc_api {
	void *lib;
	__typeof__(uc_open) *open;
	__typeof__(uc_close) *close;
	__typeof__(uc_ctl) *ctl;
	__typeof__(uc_strerror) *strerror;
	__typeof__(uc_reg_write) *reg_write;
	__typeof__(uc_reg_read) *reg_read;
	__typeof__(uc_mem_write) *mem_write;
	__typeof__(uc_mem_map) *mem_map;
	__typeof__(uc_emu_start) *emu_start;
};

static struct uc_api *load_unicorn(void)
{
	static const char *names[] = {"libunicorn.so.2", "libunicorn.so"};
	struct uc_api *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	for (size_t i = 0; i < 2 && !a->lib; i++)
		a->lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!a->lib) {
		free(a);
		return NULL;
	}
#define SYM(field, name)                                                                           \
	do {                                                                                       \
		*(void **)(&a->field) = dlsym(a->lib, name);                                       \
		if (!a->field) {                                                                   \
			dlclose(a->lib);                                                           \
			free(a);                                                                   \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)
	SYM(open, "uc_open");
	SYM(close, "uc_close");
	SYM(ctl, "uc_ctl");
	SYM(strerror, "uc_strerror");
	SYM(reg_write, "uc_reg_write");
	SYM(reg_read, "uc_reg_read");
	SYM(mem_write, "uc_mem_write");
	SYM(mem_map, "uc_mem_map");
	SYM(emu_start, "uc_emu_start");
#undef SYM
	return a;
}

/* Where the two functions are in each dump (Thumb; see the header comment). */
struct rom_d7 {
	const char *file;
	uint16_t hw_code;
	uint32_t setup, validator;
	uint32_t refused_addr; /* a load the ROM must refuse (0x1D12) */
};

static const struct rom_d7 roms[] = {
    {"MT6261-bootrom.bin", 0x6261, 0xFFF04FA4u, 0xFFF05D40u, 0x7000B000u},
    {"MT6260-bootrom.bin", 0x6260, 0xFFF08208u, 0xFFF09044u, 0x70006000u},
    /* the old shared load address, inside the MT6250 ROM's live data */
    {"MT6250-bootrom.bin", 0x6250, 0xFFF0532Au, 0xFFF06528u, 0x70007000u},
};

struct rom_emu {
	struct uc_api *api;
	uc_engine *uc;
};

/* Calls the Thumb function at fn with r0..r2; returns r0. */
static uint32_t call(struct rom_emu *e, uint32_t fn, uint32_t r0, uint32_t r1, uint32_t r2)
{
	uint32_t sp = STACK_TOP, lr = STOP_ADDR | 1u, cpsr = 0x000000D3u; /* SVC, IRQ/FIQ off */
	uc_err err;

	e->api->reg_write(e->uc, UC_ARM_REG_CPSR, &cpsr);
	e->api->reg_write(e->uc, UC_ARM_REG_SP, &sp);
	e->api->reg_write(e->uc, UC_ARM_REG_LR, &lr);
	e->api->reg_write(e->uc, UC_ARM_REG_R0, &r0);
	e->api->reg_write(e->uc, UC_ARM_REG_R1, &r1);
	e->api->reg_write(e->uc, UC_ARM_REG_R2, &r2);
	/* bounded: a few thousand instructions at most; 2 s and 2 000 000 instructions */
	err = e->api->emu_start(e->uc, fn | 1u, STOP_ADDR, 2000000, 2000000);
	if (err != UC_ERR_OK)
		fail_msg("emulating 0x%08X: %s", fn, e->api->strerror(err));
	{
		uint32_t pc = 0;

		e->api->reg_read(e->uc, UC_ARM_REG_PC, &pc);
		if ((pc & ~1u) != STOP_ADDR)
			fail_msg("0x%08X did not return (pc 0x%08X)", fn, pc);
	}
	e->api->reg_read(e->uc, UC_ARM_REG_R0, &r0);
	return r0;
}

static void rom_open(struct rom_emu *e, struct uc_api *api, const struct rom_d7 *r)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	uint8_t *rom, *window;
	size_t len;

	memset(e, 0, sizeof(*e));
	e->api = api;
	snprintf(path, sizeof(path), "%s/brom/%s", corpus, r->file);
	assert_int_equal(read_whole_file(path, &rom, &len, 1u << 20), 0);
	assert_true(len > 0 && len <= 0x10000);
	assert_int_equal(api->open(UC_ARCH_ARM, UC_MODE_ARM, &e->uc), UC_ERR_OK);
	assert_int_equal(api->ctl(e->uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), UC_CPU_ARM_926),
			 UC_ERR_OK);
	window = calloc(1, 0x10000);
	assert_non_null(window);
	memcpy(window, rom, len);
	free(rom);
	assert_int_equal(api->mem_map(e->uc, BROM_BASE, 0x10000, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(api->mem_write(e->uc, BROM_BASE, window, 0x10000), UC_ERR_OK);
	free(window);
	/* SRAM, registers (efuse and security words read as 0: an unsecured part), ID block */
	assert_int_equal(api->mem_map(e->uc, SRAM_BASE, SRAM_SIZE, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(api->mem_map(e->uc, PERI_BASE, PERI_SIZE, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(api->mem_map(e->uc, CFG_BASE, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(api->mem_map(e->uc, STOP_ADDR, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	call(e, r->setup, 0, 0, 0);
}

static void test_rom_accepts_agent(void **state)
{
	struct uc_api *api = *state;
	struct da_blob_info bi;

	assert_int_equal(da_blob_parse(mtkbak_agent_blob, mtkbak_agent_blob_len, &bi), 0);
	for (size_t i = 0; i < sizeof(roms) / sizeof(roms[0]); i++) {
		const struct rom_d7 *r = &roms[i];
		const struct chip_info *c = chip_find(r->hw_code);
		struct rom_emu e;
		uint32_t st;

		assert_non_null(c);
		rom_open(&e, api, r);
		/* the upload as mtkbak sends it (sig_len 0), and the whole footprint */
		st = call(&e, r->validator, c->agent_load_addr, bi.size, 0);
		if (st >= 0xFF)
			fail_msg("%s refuses the agent at 0x%08X+0x%X: 0x%04X", r->file,
				 c->agent_load_addr, bi.size, st);
		st = call(&e, r->validator, c->agent_load_addr, bi.footprint, 0);
		if (st >= 0xFF)
			fail_msg("%s refuses the agent's footprint 0x%08X+0x%X: 0x%04X", r->file,
				 c->agent_load_addr, bi.footprint, st);
		/* the table's own limit: everything up to agent_max_size is accepted too */
		st = call(&e, r->validator, c->agent_load_addr, c->agent_max_size, 0);
		if (st >= 0xFF)
			fail_msg("%s refuses 0x%08X+0x%X (agent_max_size): 0x%04X", r->file,
				 c->agent_load_addr, c->agent_max_size, st);
		printf("# %s: agent at 0x%08X, 0x%X bytes (footprint 0x%X, max 0x%X): accepted\n",
		       r->file, c->agent_load_addr, bi.size, bi.footprint, c->agent_max_size);
		e.api->close(e.uc);
	}
}

/* Controls: the same harness sees the refusals the ROMs are known for. */
static void test_rom_refuses(void **state)
{
	struct uc_api *api = *state;

	for (size_t i = 0; i < sizeof(roms) / sizeof(roms[0]); i++) {
		const struct rom_d7 *r = &roms[i];
		struct rom_emu e;
		uint32_t st;

		rom_open(&e, api, r);
		st = call(&e, r->validator, r->refused_addr, 0x1000, 0);
		printf("# %s: 0x%08X+0x1000 -> 0x%04X\n", r->file, r->refused_addr, st);
		assert_int_equal(st, 0x1D12);
		assert_true(call(&e, r->validator, 0x70008001u, 0x100, 0) >= 0xFF); /* odd */
		assert_true(call(&e, r->validator, 0x70008000u, 0, 0) >= 0xFF);	    /* empty */
		e.api->close(e.uc);
	}
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	struct uc_api *api;
	int ret;

	for (size_t i = 0; i < sizeof(roms) / sizeof(roms[0]); i++) {
		snprintf(path, sizeof(path), "%s/brom/%s", corpus ? corpus : "", roms[i].file);
		if (!corpus || access(path, R_OK) != 0) {
			printf("skip: no boot ROM dump %s (MTKBAK_CORPUS=%s)\n", roms[i].file,
			       corpus ? corpus : "(unset)");
			return 77;
		}
	}
	api = load_unicorn();
	if (!api) {
		printf("skip: libunicorn.so.2 not found (apt-get install libunicorn-dev)\n");
		return 77;
	}
	{
		const struct CMUnitTest tests[] = {
		    cmocka_unit_test_prestate(test_rom_accepts_agent, api),
		    cmocka_unit_test_prestate(test_rom_refuses, api),
		};

		ret = cmocka_run_group_tests(tests, NULL, NULL);
	}
	dlclose(api->lib);
	free(api);
	return ret;
}

#else /* !HAVE_UNICORN_H */

int main(void)
{
	printf("skip: <unicorn/unicorn.h> was not found at build time (apt-get install "
	       "libunicorn-dev)\n");
	return 77;
}

#endif
