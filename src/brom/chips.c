/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What mtkbak knows about each chip (doc/brom-protocol.md section 4), one row per hw code. */
#include <stdio.h>

#include "mtkbak/chip.h"

#define COMMON_REGS                                                                                \
	.brom_base = 0xFFF00000u, .wdt_mode_reg = 0xA0030000u, .wdt_disable_value = 0x2200,        \
	.wdt_enable_bit = 0x0001, .wdt_restart_reg = 0xA0030008u, .wdt_restart_value = 0x1971,     \
	.wdt_length_reg = 0xA0030004u, .wdt_length_key = 0x08, .wdt_swrst_reg = 0xA003001Cu,       \
	.wdt_swrst_value = 0x1209, .remap_reg = 0xA0510000u, .remap_flash_at_0 = 2,                \
	.flash_window = 0x00000000u, .sfc_base = 0xA0140000u

/* The agent goes where SP Flash Tool's DA1 goes on the MT6261 (0x70007000); 16 KiB ends it
 * at 0x7000B000, where the MT6261 ROM's forbidden region starts. The MT6250 ROM refuses
 * 0x70007000 (its own data is 0x7000663C-0x70007CA4): MT6250 has its own address below. */
#define AGENT_LOAD .agent_load_addr = 0x70007000u, .agent_max_size = 0x4000

const struct chip_info mtk_chips[] = {
    {
	.hw_code = 0x6261,
	.name = "MT6261",
	.family_note = "MT2502 and MT2503 report themselves as MT6261",
	.verified = true,
	.brom_size = 0x8800,
	COMMON_REGS,
	AGENT_LOAD,
	/* SRAM between the ROM's data and stack (to 0x70005CF8) and its forbidden region
	 * from 0x7000B000; PSRAM at 0x10000000 once the remap register is 2 (SP Flash Tool's
	 * DA2) */
	.sram_load = {{0x70005CF8u, 0x7000B000u}, {0x10000000u, 0x10400000u}},
	.forbidden_table_addr = 0xFFF08134u,
	.forbidden = {{0x7000B000u, 0x78000000u},
		      {0xFFF00000u, 0xFFF08500u},
		      {0xFFF00000u, 0xFFFFFFFFu},
		      {0xA0110000u, 0xA0120000u},
		      {0x700046B8u, 0x70005CF8u},
		      {0x70002000u, 0x70002030u},
		      {0x70002030u, 0x70002040u},
		      {0x70002040u, 0x70002940u},
		      {0x70003A60u, 0x70003F60u},
		      {0x70003F60u, 0x700046B8u},
		      {0x70003640u, 0x70003A60u},
		      {0x70002D40u, 0x70003640u},
		      {0x70002940u, 0x70002D40u}},
	.forbidden_count = 13,
	.efuse_swver_reg = 0xA01C0108u,
	/* USB download mode on, battery watchdog off (MTreader, mtkclient --iot) */
	.keepalive = {{0xA0700A28u, 0x8000}, {0xA0700A24u, 0x0002}},
	.keepalive_count = 2,
	/* mtkclient's table; 0x2640 from one comment in the RePhone (MT2502) Linux uploader.
	 * MT2503 parts get another power sequence in mtkclient (charger, LSRSTB, RTC 32K, power
	 * key) whose values are not in our sources: none of MT6261's writes go there. */
	.variants = {{0x35C0, "MT6261", false, false},
		     {0x3600, "MT2503", false, true},
		     {0x7640, "MT2503DV", false, true},
		     {0x2640, "MT2502", true, false}},
	.variant_count = 4,
    },
    {
	.hw_code = 0x6260,
	.name = "MT6260",
	.family_note = "MT6260, MT6260A, MT6260D and MT6260DA share hw code 0x6260",
	.verified = true,
	.brom_size = 0xC800,
	COMMON_REGS,
	AGENT_LOAD,
	/* the ROM keeps its data up to 0x70006598 */
	.sram_load = {{0x70006598u, 0x7000D000u}, {0x10000000u, 0x10400000u}},
	.forbidden_table_addr = 0xFFF0BC60u,
	.forbidden = {{0x7000D000u, 0x78000000u},
		      {0xFFF00000u, 0xFFF0C0B8u},
		      {0xFFF00000u, 0xFFFFFFFFu},
		      {0xA0110000u, 0xA0120000u},
		      {0xA0710014u, 0xA0710018u},
		      {0xA0710200u, 0xA0720000u},
		      {0x70004764u, 0x70006598u},
		      {0x70002000u, 0x70002030u},
		      {0x70002030u, 0x70002040u},
		      {0x70002040u, 0x70002940u},
		      {0x70003A60u, 0x70003F60u},
		      {0x70003F60u, 0x70004764u},
		      {0x70003640u, 0x70003A60u},
		      {0x70002D40u, 0x70003640u},
		      {0x70002940u, 0x70002D40u}},
	.forbidden_count = 15,
	.efuse_swver_reg = 0, /* not known for this chip: not read */
	.keepalive = {{0xA0700A28u, 0x8000}, {0xA0700A24u, 0x0002}},
	.keepalive_count = 2,
    },
    {
	/* Never seen: hw code and registers are assumed to follow the MT6261; the load
	 * windows are its ROM's own (dump in ../shared/corpus/brom). */
	.hw_code = 0x6250,
	.name = "MT6250",
	.family_note = "MT6250 support is unverified: its hw code was never observed",
	.verified = false,
	.brom_size = 0x8C00,
	COMMON_REGS,
	/* Its ROM keeps live data at 0x7000663C-0x70007CA4 (D7 refuses 0x70007000 with 0x1D12)
	 * and refuses 0x7000D400 and up (forbidden-region table at 0xFFF08768) */
	.agent_load_addr = 0x70008000u,
	.agent_max_size = 0x5400,
	.sram_load = {{0x70007CA4u, 0x7000D400u}},
	.forbidden_table_addr = 0xFFF08768u,
	.forbidden = {{0x7000D400u, 0x78000000u},
		      {0xFFF00000u, 0xFFF08B48u},
		      {0xFFF00000u, 0xFFFFFFFFu},
		      {0xA0110000u, 0xA0120000u},
		      {0xA0710014u, 0xA0710018u},
		      {0xA0710200u, 0xA0720000u},
		      {0x7000663Cu, 0x70007CA4u},
		      {0x70004000u, 0x70004030u},
		      {0x70004030u, 0x70004040u},
		      {0x70004040u, 0x70004940u},
		      {0x70005A60u, 0x70005E60u},
		      {0x70005E60u, 0x7000663Cu},
		      {0x70005640u, 0x70005A60u},
		      {0x70004D40u, 0x70005640u},
		      {0x70004940u, 0x70004D40u}},
	.forbidden_count = 15,
	.efuse_swver_reg = 0,
	.keepalive_count = 0, /* its PMIC registers are unknown: write nothing */
    },
};

const size_t mtk_chips_count = sizeof(mtk_chips) / sizeof(mtk_chips[0]);

const struct chip_info *chip_find(uint16_t hw_code)
{
	for (size_t i = 0; i < mtk_chips_count; i++)
		if (mtk_chips[i].hw_code == hw_code)
			return &mtk_chips[i];
	return NULL;
}

const struct chip_variant *chip_variant_find(const struct chip_info *c, uint32_t efuse_swver)
{
	if (!c || !c->efuse_swver_reg)
		return NULL;
	for (size_t i = 0; i < c->variant_count && i < CHIP_MAX_VARIANTS; i++)
		if (c->variants[i].efuse_swver == (uint16_t)(efuse_swver >> 16))
			return &c->variants[i];
	return NULL;
}

const char *chip_variant_name(const struct chip_info *c, uint32_t efuse_swver)
{
	const struct chip_variant *v = chip_variant_find(c, efuse_swver);

	return v ? v->name : NULL;
}

const char *chip_variant_describe(const struct chip_info *c, uint32_t efuse_swver, char *out,
				  size_t len)
{
	const struct chip_variant *v = chip_variant_find(c, efuse_swver);

	if (!len)
		return out;
	out[0] = 0;
	if (!c || !c->efuse_swver_reg)
		return out;
	if (v && v->likely)
		snprintf(out, len, "%s (likely, not proven)", v->name);
	else if (v)
		snprintf(out, len, "%s", v->name);
	else
		snprintf(out, len, "%s family, variant unknown (efuse 0x%04X)", c->name,
			 (unsigned)(efuse_swver >> 16));
	return out;
}

const struct reg_write *chip_keepalive(const struct chip_info *c, uint32_t efuse_swver,
				       size_t *count)
{
	const struct chip_variant *v = chip_variant_find(c, efuse_swver);

	*count = 0;
	if (!c || (v && v->no_keepalive))
		return NULL;
	*count = c->keepalive_count < CHIP_MAX_KEEPALIVE ? c->keepalive_count : CHIP_MAX_KEEPALIVE;
	return c->keepalive;
}

bool chip_load_allowed(const struct chip_info *c, uint32_t addr, uint32_t size)
{
	uint32_t last;

	if (!c || size == 0 || addr + size < addr)
		return false;
	last = addr + size - 1;
	for (size_t i = 0; i < c->forbidden_count && i < CHIP_MAX_FORBIDDEN; i++)
		if (c->forbidden[i].start <= last && c->forbidden[i].end > addr)
			return false;
	return true;
}
