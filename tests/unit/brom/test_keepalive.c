/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 12 on the boot-ROM layer, against the simulated watch: which keep-alive writes reach
 * the PMU for each MT6261-family variant (the simulator records the PMU range), the variant
 * names, and the dead man's switch (brom_arm_watchdog) resetting a watch nobody kicks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/clock.h"
#include "mtkbak/sim.h"
#include "simlib.h"

#define IMG (256u * 1024u)

static size_t keepalive_writes(const char *opts, struct sim_reg_write *w, size_t max,
			       struct brom_id *id, bool *skipped)
{
	struct simlib s;
	size_t n;

	assert_int_equal(simlib_open_synced(&s, opts, IMG), 0);
	assert_int_equal(brom_identify(&s.b, id), 0);
	assert_non_null(id->chip);
	assert_int_equal(sim_pmu_writes(s.w, NULL, 0), 0); /* identify writes nothing there */
	assert_int_equal(brom_keep_alive_id(&s.b, id), 0);
	*skipped = s.b.keepalive_skipped;
	n = sim_pmu_writes(s.w, w, max);
	simlib_close(&s);
	return n;
}

static void test_mt6261_writes_its_keepalive(void **state)
{
	struct sim_reg_write w[8];
	struct brom_id id;
	bool skipped;
	size_t n = keepalive_writes("", w, 8, &id, &skipped);

	(void)state;
	assert_string_equal(id.variant, "MT6261");
	assert_false(skipped);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].addr, 0xA0700A28u);
	assert_int_equal(w[0].value, 0x8000);
	assert_int_equal(w[1].addr, 0xA0700A24u);
	assert_int_equal(w[1].value, 0x0002);
}

static void test_mt2503_gets_none(void **state)
{
	static const char *opts[] = {"efuse=36000000", "efuse=76400000"};
	static const char *names[] = {"MT2503", "MT2503DV"};

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct sim_reg_write w[8];
		struct brom_id id;
		bool skipped;
		size_t n = keepalive_writes(opts[i], w, 8, &id, &skipped);

		assert_string_equal(id.variant, names[i]);
		assert_true(skipped);
		assert_int_equal(n, 0); /* not one MT6261 value in another chip's PMU */
	}
}

static void test_variant_names(void **state)
{
	const struct chip_info *c = chip_find(0x6261);
	char buf[96];
	size_t n;

	(void)state;
	assert_string_equal(chip_variant_describe(c, 0x36000000u, buf, sizeof(buf)), "MT2503");
	assert_string_equal(chip_variant_describe(c, 0x26400000u, buf, sizeof(buf)),
			    "MT2502 (likely, not proven)");
	assert_string_equal(chip_variant_describe(c, 0xABCD0000u, buf, sizeof(buf)),
			    "MT6261 family, variant unknown (efuse 0xABCD)");
	assert_string_equal(chip_variant_describe(chip_find(0x6260), 0, buf, sizeof(buf)), "");
	/* MT2502 (likely) and unknown parts keep the family's writes; MT2503 gets none */
	assert_non_null(chip_keepalive(c, 0x26400000u, &n));
	assert_int_equal(n, 2);
	assert_non_null(chip_keepalive(c, 0xABCD0000u, &n));
	assert_int_equal(n, 2);
	assert_null(chip_keepalive(c, 0x76400000u, &n));
	assert_int_equal(n, 0);
	chip_keepalive(chip_find(0x6250), 0, &n); /* its PMIC is unknown: nothing */
	assert_int_equal(n, 0);
}

/* Armed for 300 ms and never kicked: the watch resets by itself and enumerates again in
 * boot-ROM mode; kicked in time it does not. */
static void test_dead_mans_switch(void **state)
{
	struct simlib s;
	struct brom_id id;
	uint64_t gen;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "", IMG), 0);
	assert_int_equal(brom_identify(&s.b, &id), 0);
	assert_int_equal(brom_disable_watchdog(&s.b, id.chip), 0);
	gen = sim_generation(s.w);
	assert_int_equal(brom_arm_watchdog(&s.b, id.chip, 300), 0);
	for (int i = 0; i < 4; i++) { /* kicks every 100 ms keep it alive */
		usleep(100 * 1000);
		assert_int_equal(
		    brom_write16(&s.b, id.chip->wdt_restart_reg, &id.chip->wdt_restart_value, 1),
		    0);
	}
	assert_int_equal(sim_wdt_resets(s.w), 0);
	assert_true(sim_generation(s.w) == gen);
	usleep(600 * 1000); /* now nobody kicks */
	assert_int_equal(sim_wdt_resets(s.w), 1);
	assert_true(sim_generation(s.w) != gen);
	/* and it is the boot ROM again */
	assert_int_equal(simlib_reopen(&s, 2000), 0);
	assert_int_equal(brom_handshake(&s.b, 2000), 0);
	assert_false(s.b.already_synced);
	simlib_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mt6261_writes_its_keepalive),
	    cmocka_unit_test(test_mt2503_gets_none),
	    cmocka_unit_test(test_variant_names),
	    cmocka_unit_test(test_dead_mans_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
