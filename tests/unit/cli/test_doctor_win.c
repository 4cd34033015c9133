/* SPDX-License-Identifier: GPL-3.0-or-later */
/* doctor on Windows: the decision table from "which driver does SetupAPI say holds the watch"
 * to the finding, its status, exit code and fix. The SetupAPI scan itself only runs on
 * Windows (under Wine it finds nothing: tests/ci-extra/wine.sh checks that path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* doctor.c and doctor_win.c belong to the mtkbak binary, not to the library. */
#include "cli/doctor.c"
#include "cli/doctor_win.c"
#include "cli/udev_rules.c"

static struct doctor_report rep;

static const struct doctor_finding *advise(const struct doctor_win_state *s)
{
	memset(&rep, 0, sizeof(rep));
	doctor_win_advise(s, &rep);
	assert_true(rep.n >= 1);
	assert_string_equal(rep.f[0].id, "win-driver");
	return &rep.f[0];
}

static struct doctor_win_state one(const char *service, const char *port, bool present,
				   unsigned problem)
{
	struct doctor_win_state s;

	memset(&s, 0, sizeof(s));
	s.n = 1;
	snprintf(s.dev[0].service, sizeof(s.dev[0].service), "%s", service);
	snprintf(s.dev[0].port, sizeof(s.dev[0].port), "%s", port);
	s.dev[0].present = present;
	s.dev[0].problem = problem;
	return s;
}

static void test_serial_drivers(void **state)
{
	struct doctor_win_state s = one("usbser", "COM5", true, 0);
	const struct doctor_finding *f;

	(void)state;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_OK);
	assert_non_null(strstr(f->message, "usbser"));
	assert_non_null(strstr(f->message, "--port serial:COM5"));
	assert_non_null(strstr(f->message, "connected now"));
	assert_int_equal(doctor_exit_code(&rep), 0);

	s = one("usb2ser", "COM12", false, 0); /* MediaTek VCOM, seen before */
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_OK);
	assert_non_null(strstr(f->message, "MediaTek's USB VCOM driver"));
	assert_non_null(strstr(f->message, "COM12"));
	assert_non_null(strstr(f->message, "last connected"));

	s = one("USBSER", "", true, 0); /* service names have no fixed case; no port yet */
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_OK);
	assert_non_null(strstr(f->message, "'mtkbak list' shows which"));
}

static void test_libusb_drivers(void **state)
{
	struct doctor_win_state s = one("WinUSB", "", true, 0);
	const struct doctor_finding *f;

	(void)state;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_OK);
	assert_non_null(strstr(f->message, "WinUSB"));
	assert_non_null(strstr(f->message, "--port usb"));

	s = one("libusb0", "", true, 0);
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_WARN);
	assert_non_null(strstr(f->fix, "WinUSB, Replace Driver"));
	assert_int_equal(doctor_exit_code(&rep), 0);

	s = one("libusbK", "", true, 0);
	assert_int_equal(advise(&s)->status, DOCTOR_WARN);
}

static void test_no_driver(void **state)
{
	struct doctor_win_state s = one("", "", true, 28);
	const struct doctor_finding *f;

	(void)state;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_non_null(strstr(f->message, "problem 28: no driver installed"));
	assert_non_null(strstr(f->fix, "Zadig"));
	assert_non_null(strstr(f->fix, "no driver-signature bypass"));
	assert_int_equal(doctor_exit_code(&rep), MTK_EXIT_UNAVAILABLE);

	s = one("", "", false, 0); /* not connected now: a warning, not a blocker */
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_WARN);
	assert_int_equal(doctor_exit_code(&rep), 0);

	s = one("", "", true, 28); /* UsbDk running: it gets there anyway */
	s.usbdk = s.usbdk_running = true;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_INFO);
	assert_non_null(strstr(f->message, "UsbDk reaches it anyway"));
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.f[1].id, "usbdk");
	assert_string_equal(rep.f[1].fix, "");
	assert_int_equal(doctor_exit_code(&rep), 0);
}

static void test_unknown_driver_and_usbdk(void **state)
{
	struct doctor_win_state s = one("FooSer", "COM3", true, 0);
	const struct doctor_finding *f;

	(void)state;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_WARN);
	assert_non_null(strstr(f->message, "'FooSer'"));
	assert_non_null(strstr(f->fix, "Zadig"));

	s.usbdk = true; /* installed but stopped */
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_WARN);
	assert_int_equal(rep.n, 2);
	assert_non_null(strstr(rep.f[1].message, "not running"));
	assert_non_null(strstr(rep.f[1].fix, "sc start UsbDk"));
}

static void test_present_wins_over_remembered(void **state)
{
	struct doctor_win_state s = one("", "", false, 0);

	(void)state;
	/* a driverless node from an old plug-in on another port, and the watch now on usbser */
	s.n = 2;
	snprintf(s.dev[1].service, sizeof(s.dev[1].service), "usbser");
	snprintf(s.dev[1].port, sizeof(s.dev[1].port), "COM7");
	s.dev[1].present = true;
	advise(&s);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.f[0].status, DOCTOR_OK);
	assert_non_null(strstr(rep.f[0].message, "COM7"));
}

static void test_nothing_seen(void **state)
{
	struct doctor_win_state s;
	const struct doctor_finding *f;

	(void)state;
	memset(&s, 0, sizeof(s));
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_INFO);
	assert_non_null(strstr(f->message, "never seen"));
	assert_non_null(strstr(f->fix, "pull --auto"));
	assert_int_equal(doctor_exit_code(&rep), 0);

	s.scan_err = -ENOSYS;
	f = advise(&s);
	assert_int_equal(f->status, DOCTOR_WARN);
	assert_non_null(strstr(f->message, "SetupAPI"));
	assert_int_equal(rep.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serial_drivers),
	    cmocka_unit_test(test_libusb_drivers),
	    cmocka_unit_test(test_no_driver),
	    cmocka_unit_test(test_unknown_driver_and_usbdk),
	    cmocka_unit_test(test_present_wins_over_remembered),
	    cmocka_unit_test(test_nothing_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
