/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every boot ROM command against the simulated watch, including each error status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/brom_wire.h"
#include "mtkbak/errors.h"
#include "simlib.h"

#define IMG (256u * 1024u)

static const struct chip_info *mt6261(void)
{
	return chip_find(0x6261);
}

static void open_synced(struct simlib *s, const char *opts)
{
	assert_int_equal(simlib_open_synced(s, opts, IMG), 0);
	s->b.timeout_ms = 300; /* error paths wait for bytes that never come */
}

static void test_handshake_and_resync(void **state)
{
	struct simlib s;
	uint8_t v;

	(void)state;
	open_synced(&s, "");
	assert_false(s.b.already_synced);
	/* a second run finds the ROM in command mode: A0 comes back as an echo */
	assert_int_equal(brom_handshake(&s.b, 1000), 0);
	assert_true(s.b.already_synced);
	assert_int_equal(brom_get_version(&s.b, &v), 0);
	assert_int_equal(v, 5);
	simlib_close(&s);
}

static void test_handshake_garbage(void **state)
{
	struct simlib s;

	(void)state;
	assert_int_equal(simlib_open(&s, "corrupt=1", IMG), 0);
	assert_int_equal(brom_handshake(&s.b, 1500), -EPROTO);
	assert_non_null(strstr(s.b.detail, "not like a MediaTek boot ROM"));
	simlib_close(&s);
}

static void test_handshake_silent(void **state)
{
	struct simlib s;

	(void)state;
	assert_int_equal(simlib_open(&s, "stall=1,stallms=3000", IMG), 0);
	assert_int_equal(brom_handshake(&s.b, 400), -ETIMEDOUT);
	assert_non_null(strstr(s.b.detail, "no answer"));
	simlib_close(&s);
}

static void test_handshake_recovers_from_one_bad_byte(void **state)
{
	struct simlib s;

	(void)state;
	/* the 2nd reply (F5) arrives damaged: the host starts over and gets through */
	assert_int_equal(simlib_open(&s, "corrupt=2,corruptcount=1", IMG), 0);
	assert_int_equal(brom_handshake(&s.b, 2000), 0);
	simlib_close(&s);
}

static void test_versions(void **state)
{
	struct simlib s;
	uint8_t v;

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_get_version(&s.b, &v), 0);
	assert_int_equal(v, 0x05);
	assert_int_equal(brom_get_bl_version(&s.b, &v), 0);
	assert_int_equal(v, 0xFE); /* echo only: no bootloader, boot ROM mode */
	simlib_close(&s);
}

static void test_legacy_read16(void **state)
{
	struct simlib s;
	uint16_t v[4];

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_legacy_read16(&s.b, 0x80000000u, v, 1), 0);
	assert_int_equal(v[0], 0xCB01);
	assert_int_equal(brom_legacy_read16(&s.b, 0x80000008u, v, 1), 0);
	assert_int_equal(v[0], 0x6261);
	/* halfwords of a little-endian word, MSB first each */
	assert_int_equal(brom_legacy_read16(&s.b, 0xA01C0108u, v, 2), 0);
	assert_int_equal(v[0], 0x0000);
	assert_int_equal(v[1], 0x35C0);
	/* error: A2 has no status, the ROM says nothing after the count echo */
	assert_int_equal(brom_legacy_read16(&s.b, 0x80000001u, v, 1), -ETIMEDOUT);
	/* and the ROM is back in its command loop */
	assert_int_equal(brom_legacy_read16(&s.b, 0x8000000Cu, v, 1), 0);
	assert_int_equal(v[0], 0x8000);
	simlib_close(&s);
}

static void test_read16(void **state)
{
	struct simlib s;
	uint16_t v;

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_read16(&s.b, 0xA0700A24u, &v, 1), 0);
	assert_int_equal(v, 0x0010);
	assert_int_equal(brom_read16(&s.b, 0xA0700A25u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D06);
	assert_non_null(strstr(s.b.detail, "0x1D06"));
	simlib_close(&s);
}

static void test_read32_and_errors(void **state)
{
	struct simlib s;
	uint32_t v;
	uint8_t rx[16];
	/* raw: count 0 and a huge count cannot be sent through the API */
	const uint8_t zero[] = {0xD1, 0xA0, 0x1C, 0x01, 0x08, 0, 0, 0, 0};
	const uint8_t huge[] = {0xD1, 0xA0, 0x1C, 0x01, 0x08, 0x40, 0, 0, 0};

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_read32(&s.b, 0xA01C0108u, &v, 1), 0);
	assert_int_equal(v, 0x35C00000u);
	assert_int_equal(brom_read32(&s.b, 0xA01C0106u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D07);
	assert_int_equal(simlib_xfer(&s, zero, sizeof(zero), rx, 11, 500), 0);
	assert_memory_equal(rx, zero, 9);
	assert_int_equal(rx[9] << 8 | rx[10], 0x1D09);
	assert_int_equal(simlib_xfer(&s, huge, sizeof(huge), rx, 11, 500), 0);
	assert_int_equal(rx[9] << 8 | rx[10], 0x1D19);
	assert_int_equal(brom_read32(&s.b, 0xA01C0108u, &v, 1), 0); /* still in step */
	assert_int_equal(brom_read32(&s.b, 0, &v, 0), -EINVAL);
	simlib_close(&s);
}

static void test_write16_and_errors(void **state)
{
	struct simlib s;
	uint16_t v = 0x1234, back;
	uint8_t rx[16];
	const uint8_t zero[] = {0xD2, 0xA0, 0x70, 0x0A, 0x00, 0, 0, 0, 0};

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_write16(&s.b, 0xA0700A00u, &v, 1), 0);
	assert_int_equal(brom_read16(&s.b, 0xA0700A00u, &back, 1), 0);
	assert_int_equal(back, 0x1234);
	v = 0x0055;
	assert_int_equal(brom_write16_noecho(&s.b, 0x70008000u, &v, 1), 0);
	assert_int_equal(brom_read16(&s.b, 0x70008000u, &back, 1), 0);
	assert_int_equal(back, 0x0055);
	assert_int_equal(brom_write16(&s.b, 0xA0700A01u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D00);
	assert_int_equal(brom_write16(&s.b, 0xFFF00000u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D02);
	assert_int_equal(simlib_xfer(&s, zero, sizeof(zero), rx, 11, 500), 0);
	assert_int_equal(rx[9] << 8 | rx[10], 0x1D05);
	simlib_close(&s);
}

static void test_write32_remap_and_flash(void **state)
{
	struct simlib s;
	uint32_t v = 0x0000ABCDu, words[64];

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_write32(&s.b, 0x70009000u, &v, 1), 0);
	assert_int_equal(brom_read32(&s.b, 0x70009000u, words, 1), 0);
	assert_int_equal(words[0], 0x0000ABCDu);
	assert_int_equal(brom_write32(&s.b, 0x70009002u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D01);
	/* map the flash at 0 and read it back: each dword byte-reversed is the flash */
	assert_int_equal(brom_remap_flash(&s.b, mt6261()), 0);
	assert_int_equal(brom_read32(&s.b, 0, words, 64), 0);
	for (int i = 0; i < 64; i++) {
		const uint8_t *f = s.image + 4 * i;

		assert_int_equal(words[i],
				 (uint32_t)f[0] | f[1] << 8 | f[2] << 16 | (uint32_t)f[3] << 24);
	}
	/* beyond the chip's size the flash aliases */
	assert_int_equal(brom_read32(&s.b, IMG, &v, 1), 0);
	assert_int_equal(v, words[0]);
	assert_int_equal(brom_read32(&s.b, 16u << 20, &v, 1), 0);
	assert_int_equal(v, words[0]);
	simlib_close(&s);
}

static void test_send_da_and_jump(void **state)
{
	struct simlib s;
	uint8_t code[301];
	uint8_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(i * 7 + 3);
	open_synced(&s, "");
	assert_int_equal(brom_jump_da(&s.b, 0x70007000u), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D16);
	assert_int_equal(brom_send_da(&s.b, 0x70007000u, code, sizeof(code), 0), 0);
	assert_int_equal(brom_send_da(&s.b, 0x10020000u, code, sizeof(code), 0x100), 0);
	assert_int_equal(brom_send_da(&s.b, 0x7000C000u, code, sizeof(code), 0), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_non_null(strstr(s.b.detail, "not allowed"));
	assert_int_equal(brom_send_da(&s.b, 0x70007001u, code, sizeof(code), 0), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D11);
	assert_int_equal(brom_send_da(&s.b, 0x70007000u, code, 0x100, 0x100), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D14);
	assert_int_equal(brom_jump_da(&s.b, 0x70008000u), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D0F);
	/* the upload landed in SRAM */
	{
		uint16_t hw;

		assert_int_equal(brom_read16(&s.b, 0x70007000u, &hw, 1), 0);
		assert_int_equal(hw, code[0] | code[1] << 8);
	}
	/* jump into unknown code: OK status, then the watch falls silent */
	assert_int_equal(brom_jump_da(&s.b, 0x70007000u), 0);
	assert_int_equal(brom_get_version(&s.b, &v), -ETIMEDOUT);
	simlib_close(&s);
}

static void test_send_da_size_zero_and_table_full(void **state)
{
	struct simlib s;
	uint8_t rx[16], code[16] = {1, 2, 3};
	const uint8_t zero[] = {0xD7, 0x70, 0x00, 0x70, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};

	(void)state;
	open_synced(&s, "");
	assert_int_equal(simlib_xfer(&s, zero, sizeof(zero), rx, 15, 500), 0);
	assert_int_equal(rx[13] << 8 | rx[14], 0x1D13);
	for (int i = 0; i < 10; i++)
		assert_int_equal(
		    brom_send_da(&s.b, 0x70007000u + 0x100 * (uint32_t)i, code, sizeof(code), 0),
		    0);
	assert_int_equal(brom_send_da(&s.b, 0x70008000u, code, sizeof(code), 0), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D10);
	simlib_close(&s);
}

static void test_send_da_checksum_mismatch(void **state)
{
	struct simlib s;
	uint8_t code[64] = {0x11, 0x22};

	(void)state;
	/* device bytes: 4 handshake, D7 echo 1 + 12 params, status 2: the 20th is the checksum */
	assert_int_equal(simlib_open_synced(&s, "corrupt=20,corruptcount=1", IMG), 0);
	assert_int_equal(brom_send_da(&s.b, 0x70007000u, code, sizeof(code), 0), -EBADMSG);
	assert_non_null(strstr(s.b.detail, "checksum"));
	simlib_close(&s);
}

static void test_secure_part(void **state)
{
	struct simlib s;
	uint8_t code[64] = {0};
	uint32_t cfg;

	(void)state;
	open_synced(&s, "secure");
	assert_int_equal(brom_get_target_config(&s.b, &cfg), 0);
	assert_int_equal(cfg, BROM_CFG_SLA | BROM_CFG_DAA);
	assert_int_equal(brom_send_da(&s.b, 0x70007000u, code, sizeof(code), 0), -EPERM);
	assert_int_equal(s.b.last_status, BROM_ST_SECURE);
	assert_int_equal(brom_jump_da(&s.b, 0x70007000u), -EPERM);
	assert_string_equal(brom_status_text(BROM_ST_SECURE),
			    "secure part: signed code required (SLA/DAA)");
	simlib_close(&s);
}

static void test_target_config_me_id_baud(void **state)
{
	struct simlib s;
	uint32_t cfg = 1;
	uint8_t id[16];
	static const uint8_t want[16] = {0xf8, 0x1d, 0xa2, 0x15, 0x30, 0x82, 0xcc, 0x5e,
					 0x21, 0xac, 0x52, 0x36, 0x87, 0x68, 0x44, 0xc2};

	(void)state;
	open_synced(&s, "meid=f81da2153082cc5e21ac5236876844c2");
	assert_int_equal(brom_get_target_config(&s.b, &cfg), 0);
	assert_int_equal(cfg, 0);
	assert_int_equal(brom_get_me_id(&s.b, id), 0);
	assert_memory_equal(id, want, 16);
	assert_int_equal(brom_set_uart_baud(&s.b, 115200), 0);
	assert_int_equal(brom_set_uart_baud(&s.b, 50), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D1D);
	simlib_close(&s);
}

static void test_injected_statuses(void **state)
{
	struct simlib s;
	uint32_t cfg;
	uint8_t id[16];

	(void)state;
	open_synced(&s, "fail=d8:1d0d");
	assert_int_equal(brom_get_target_config(&s.b, &cfg), -EPERM);
	simlib_close(&s);
	open_synced(&s, "fail=e1:1d02");
	assert_int_equal(brom_get_me_id(&s.b, id), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D02);
	simlib_close(&s);
}

static void test_identify(void **state)
{
	struct simlib s;
	struct brom_id id;

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_identify(&s.b, &id), 0);
	assert_int_equal(id.hw_code, 0x6261);
	assert_int_equal(id.hw_ver, 0xCB01);
	assert_int_equal(id.sw_ver, 0x0001);
	assert_int_equal(id.hw_subcode, 0x8000);
	assert_int_equal(id.brom_version, 5);
	assert_int_equal(id.efuse_swver, 0x35C00000u);
	assert_string_equal(id.variant, "MT6261");
	assert_ptr_equal(id.chip, mt6261());
	assert_false(id.secure);
	simlib_close(&s);

	open_synced(&s, "chip=mt6260,secure");
	assert_int_equal(brom_identify(&s.b, &id), 0);
	assert_int_equal(id.hw_code, 0x6260);
	assert_int_equal(id.hw_ver, 0xCB00);
	assert_string_equal(id.chip->name, "MT6260");
	assert_null(id.variant);
	assert_true(id.secure);
	simlib_close(&s);
}

static void test_watchdog_keepalive(void **state)
{
	struct simlib s;
	const struct chip_info *c = mt6261();
	uint16_t v;

	(void)state;
	open_synced(&s, "");
	assert_int_equal(brom_disable_watchdog(&s.b, c), 0);
	assert_true(s.b.wdt_mode_saved_valid);
	assert_int_equal(s.b.wdt_mode_saved & 1, 1);
	assert_int_equal(brom_read16(&s.b, c->wdt_mode_reg, &v, 1), 0);
	assert_int_equal(v & 1, 0);
	assert_int_equal(brom_keep_alive(&s.b, c), 0);
	assert_int_equal(brom_read16(&s.b, 0xA0700A28u, &v, 1), 0);
	assert_int_equal(v, 0x8000);
	assert_int_equal(brom_read16(&s.b, 0xA0700A24u, &v, 1), 0);
	assert_int_equal(v, 0x0002);
	assert_int_equal(brom_rearm_watchdog(&s.b, c), 0);
	assert_int_equal(brom_read16(&s.b, c->wdt_mode_reg, &v, 1), 0);
	assert_int_equal(v & 1, 1);
	simlib_close(&s);
}

static void test_watchdog_bites_unless_disabled(void **state)
{
	struct simlib s;
	uint8_t v;
	uint64_t gen;

	(void)state;
	open_synced(&s, "wdt=150");
	gen = sim_generation(s.w);
	assert_int_equal(brom_disable_watchdog(&s.b, mt6261()), 0);
	usleep(300 * 1000);
	assert_int_equal(brom_get_version(&s.b, &v), 0);
	assert_int_equal(sim_generation(s.w), gen);
	simlib_close(&s);

	open_synced(&s, "wdt=150");
	gen = sim_generation(s.w);
	usleep(300 * 1000);
	assert_true(sim_generation(s.w) > gen); /* it reset and enumerated again */
	assert_int_equal(brom_get_version(&s.b, &v), -ENODEV);
	simlib_close(&s);
}

static void test_reboot(void **state)
{
	struct simlib s;
	struct brom_id id;
	uint64_t gen;

	(void)state;
	open_synced(&s, "");
	gen = sim_generation(s.w);
	assert_int_equal(brom_reboot(&s.b, mt6261()), 0);
	assert_true(sim_generation(s.w) > gen);
	/* a fresh boot ROM: a new handle and a full handshake */
	assert_int_equal(simlib_reopen(&s, 1000), 0);
	assert_int_equal(brom_handshake(&s.b, 1000), 0);
	assert_false(s.b.already_synced);
	assert_int_equal(brom_identify(&s.b, &id), 0);
	simlib_close(&s);
}

static void test_disconnect_mid_command(void **state)
{
	struct simlib s;
	uint32_t words[256];

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "disconnect=30", IMG), 0);
	assert_int_equal(brom_remap_flash(&s.b, mt6261()), -ENODEV);
	assert_non_null(strstr(s.b.detail, "went away"));
	assert_int_equal(brom_read32(&s.b, 0, words, 256), -ENODEV);
	simlib_close(&s);
}

static void test_checksum_vectors(void **state)
{
	const uint8_t a[] = {0x01, 0x02, 0x03, 0x04, 0x05};

	(void)state;
	assert_int_equal(brom_checksum(a, 0), 0);
	assert_int_equal(brom_checksum(a, 2), 0x0201);
	assert_int_equal(brom_checksum(a, 4), 0x0201 ^ 0x0403);
	assert_int_equal(brom_checksum(a, 5), 0x0201 ^ 0x0403 ^ 0x05);
	assert_string_equal(brom_status_text(0x1D12),
			    "upload address range not allowed on this chip");
	assert_string_equal(brom_status_text(0xBEEF), "unknown boot ROM status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_and_resync),
	    cmocka_unit_test(test_handshake_garbage),
	    cmocka_unit_test(test_handshake_silent),
	    cmocka_unit_test(test_handshake_recovers_from_one_bad_byte),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_legacy_read16),
	    cmocka_unit_test(test_read16),
	    cmocka_unit_test(test_read32_and_errors),
	    cmocka_unit_test(test_write16_and_errors),
	    cmocka_unit_test(test_write32_remap_and_flash),
	    cmocka_unit_test(test_send_da_and_jump),
	    cmocka_unit_test(test_send_da_size_zero_and_table_full),
	    cmocka_unit_test(test_send_da_checksum_mismatch),
	    cmocka_unit_test(test_secure_part),
	    cmocka_unit_test(test_target_config_me_id_baud),
	    cmocka_unit_test(test_injected_statuses),
	    cmocka_unit_test(test_identify),
	    cmocka_unit_test(test_watchdog_keepalive),
	    cmocka_unit_test(test_watchdog_bites_unless_disabled),
	    cmocka_unit_test(test_reboot),
	    cmocka_unit_test(test_disconnect_mid_command),
	    cmocka_unit_test(test_checksum_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
