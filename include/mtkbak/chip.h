/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Chip knowledge as data (like sunxi-tools' soc_info): one row per hw code, in src/brom/chips.c. */
#ifndef MTKBAK_CHIP_H
#define MTKBAK_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_window {
	uint32_t start, end; /* [start, end) */
};

struct reg_write {
	uint32_t addr;
	uint16_t value;
};

/* Parts that share a hw code, told apart by the upper half of the efuse word 0xA01C0108. */
struct chip_variant {
	uint16_t efuse_swver; /* upper 16 bits of efuse_swver_reg */
	const char *name;
	bool likely;	   /* reported by one source only: "likely, not proven" */
	bool no_keepalive; /* the row's keep-alive writes are another chip's: write none */
};

#define CHIP_MAX_WINDOWS   4
#define CHIP_MAX_KEEPALIVE 8
#define CHIP_MAX_VARIANTS  4
#define CHIP_MAX_FORBIDDEN 16

struct chip_info {
	uint16_t hw_code;	 /* A2 read of 0x80000008 */
	const char *name;	 /* "MT6261" */
	const char *family_note; /* e.g. "MT2502/MT2503 report themselves as MT6261" */
	bool verified;		 /* false: values inferred, never seen on this chip */
	uint32_t brom_base, brom_size;
	struct mem_window sram_load[CHIP_MAX_WINDOWS]; /* where mtkbak may load code */
	/* The boot ROM's own forbidden-region table (the entries its D7 and READ16/READ32
	 * checks use), in the ROM's order: a load or read touching one is refused. */
	struct mem_window forbidden[CHIP_MAX_FORBIDDEN];
	size_t forbidden_count;
	uint32_t forbidden_table_addr; /* where that table is in the ROM */
	uint32_t agent_load_addr;      /* where mtkbak loads its agent */
	uint32_t agent_max_size;
	uint32_t wdt_mode_reg; /* write wdt_disable_value to stop the watchdog */
	uint16_t wdt_disable_value;
	uint16_t wdt_enable_bit;  /* the mode bit that arms it again */
	uint32_t wdt_restart_reg; /* kick: write wdt_restart_value */
	uint16_t wdt_restart_value;
	/* Dead man's switch before D5: LENGTH = key | timeout << 5, in units of 512 ticks of
	 * the 32 kHz clock (other MediaTek chips' layout; the ROMs never write it) */
	uint32_t wdt_length_reg;
	uint16_t wdt_length_key;
	uint32_t wdt_swrst_reg; /* reset: write wdt_swrst_value */
	uint16_t wdt_swrst_value;
	uint32_t remap_reg;	   /* 0xA0510000 */
	uint32_t remap_flash_at_0; /* OR this in to map the serial flash at address 0 */
	uint32_t flash_window;	   /* where the flash shows up after the remap (0) */
	uint32_t sfc_base;	   /* serial flash controller */
	uint32_t efuse_swver_reg;  /* 0xA01C0108, 0 if not known for this chip */
	struct reg_write
	    keepalive[CHIP_MAX_KEEPALIVE]; /* PMIC writes that keep the watch powered */
	size_t keepalive_count;
	struct chip_variant variants[CHIP_MAX_VARIANTS];
	size_t variant_count;
};

extern const struct chip_info mtk_chips[];
extern const size_t mtk_chips_count;

/* NULL when the hw code is unknown. */
const struct chip_info *chip_find(uint16_t hw_code);
/* True when the boot ROM accepts a D7 load of [addr, addr+size): size > 0, no wrap past
 * 0xFFFFFFFF, no byte in a forbidden region (the ROM's check, MT6261 0xFFF04EFC). */
bool chip_load_allowed(const struct chip_info *c, uint32_t addr, uint32_t size);
/* The part name for an efuse word (e.g. "MT2503"), NULL if the table does not know it. */
const char *chip_variant_name(const struct chip_info *c, uint32_t efuse_swver);
/* The table row for an efuse word, NULL if unknown (or the chip has no efuse register). */
const struct chip_variant *chip_variant_find(const struct chip_info *c, uint32_t efuse_swver);
/* For people: "MT2503", "MT2502 (likely, not proven)", "MT6261 family, variant unknown (efuse
 * 0x1234)"; "" when the chip has no efuse register. Returns out. */
const char *chip_variant_describe(const struct chip_info *c, uint32_t efuse_swver, char *out,
				  size_t len);
/* The keep-alive writes for this part: the row's, or none when the variant says they belong
 * to another chip (MT2503). *count gets how many. */
const struct reg_write *chip_keepalive(const struct chip_info *c, uint32_t efuse_swver,
				       size_t *count);

#endif
