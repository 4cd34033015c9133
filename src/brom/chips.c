/* What mtkbak knows about each chip (doc/brom-protocol.md section 4), one row per hw code. */
#include "mtkbak/chip.h"

#define COMMON_REGS                                                                                \
	.brom_base = 0xFFF00000u, .wdt_mode_reg = 0xA0030000u, .wdt_disable_value = 0x2200,        \
	.wdt_enable_bit = 0x0001, .wdt_restart_reg = 0xA0030008u, .wdt_restart_value = 0x1971,     \
	.wdt_swrst_reg = 0xA003001Cu, .wdt_swrst_value = 0x1209, .remap_reg = 0xA0510000u,         \
	.remap_flash_at_0 = 2, .flash_window = 0x00000000u, .sfc_base = 0xA0140000u

/* The agent goes where SP Flash Tool's DA1 goes on the MT6261 (0x70007000); 16 KiB keeps it
 * below 0x7000B000, inside even the smaller (44 KiB) SRAM estimate and clear of 0x7000C000,
 * which the MT6261 refuses. */
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
	/* 0x7000C000 and up is refused with 0x1D12; below 0x70006000 is the ROM's own data;
	 * PSRAM at 0x10000000 once the remap register is 2 (SP Flash Tool's DA2) */
	.sram_load = {{0x70006000u, 0x7000C000u}, {0x10000000u, 0x10400000u}},
	.efuse_swver_reg = 0xA01C0108u,
	/* USB download mode on, battery watchdog off (MTreader, mtkclient --iot) */
	.keepalive = {{0xA0700A28u, 0x8000}, {0xA0700A24u, 0x0002}},
	.keepalive_count = 2,
	.variants = {{0x35C0, "MT6261"}, {0x3600, "MT2503"}, {0x7640, "MT2503DV"}},
	.variant_count = 3,
    },
    {
	.hw_code = 0x6260,
	.name = "MT6260",
	.family_note = "MT6260, MT6260A, MT6260D and MT6260DA share hw code 0x6260",
	.verified = true,
	.brom_size = 0xC800,
	COMMON_REGS,
	AGENT_LOAD,
	.sram_load = {{0x70006000u, 0x7000D000u}, {0x10000000u, 0x10400000u}},
	.efuse_swver_reg = 0, /* not known for this chip: not read */
	.keepalive = {{0xA0700A28u, 0x8000}, {0xA0700A24u, 0x0002}},
	.keepalive_count = 2,
    },
    {
	/* Never seen: hw code, windows and registers are assumed to follow the MT6261. */
	.hw_code = 0x6250,
	.name = "MT6250",
	.family_note = "MT6250 support is unverified: its hw code was never observed",
	.verified = false,
	.brom_size = 0x8C00,
	COMMON_REGS,
	AGENT_LOAD,
	.sram_load = {{0x70006000u, 0x7000C000u}},
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

const char *chip_variant_name(const struct chip_info *c, uint32_t efuse_swver)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->variant_count && i < CHIP_MAX_VARIANTS; i++)
		if (c->variants[i].efuse_swver == (uint16_t)(efuse_swver >> 16))
			return c->variants[i].name;
	return NULL;
}
