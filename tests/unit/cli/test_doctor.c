/* SPDX-License-Identifier: GPL-3.0-or-later */
/* doctor's checks for users other than root: group membership, seats, relogin, libusb probe
 * results, serial port lists, and the exit code. Builds fake trees and a fake identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtkbak/fsutil.h"

/* doctor's report through its header; the probes it reads the host with are the hostenv
 * layer's (tests/unit/hostenv). */
#include "cli/doctor.h"
#include "cli/udev_rules.h"

struct fixture {
	char root[256];
	struct doctor_env env;
	struct doctor_report rep;
};

static void put(struct fixture *fx, const char *rel, const char *text)
{
	char path[MTK_PATH_MAX], dir[MTK_PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", fx->root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir, 0755), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirs(struct fixture *fx, const char *rel)
{
	char path[MTK_PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", fx->root, rel);
	assert_int_equal(mkdir_p(path, 0755), 0);
}

/* A Debian-like base: USB bus, no watch, group plugdev (46), user alice (1000). */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->root, sizeof(fx->root), "/tmp/mtkbak-test-doctor-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	mkdirs(fx, "/sys/bus/usb/devices");
	mkdirs(fx, "/dev/bus/usb");
	put(fx, "/proc/1/comm", "systemd\n");
	put(fx, "/etc/passwd",
	    "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	put(fx, "/etc/group", "root:x:0:\nplugdev:x:46:\nalice:x:1000:\n");
	fx->env.root = fx->root;
	fx->env.uid = 1000;
	fx->env.gids[0] = 1000;
	fx->env.ngids = 1;
	snprintf(fx->env.user, sizeof(fx->env.user), "alice");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	rm_rf(fx->root);
	free(fx);
	return 0;
}

static void install_rules(struct fixture *fx)
{
	put(fx, "/etc/udev/rules.d/60-mtkbak.rules", mtkbak_udev_rules);
}

static void add_watch(struct fixture *fx, const char *name, unsigned bus, unsigned dev)
{
	char rel[256], text[32];

	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/idVendor", name);
	put(fx, rel, "0e8d\n");
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/idProduct", name);
	put(fx, rel, "0003\n");
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/busnum", name);
	snprintf(text, sizeof(text), "%u\n", bus);
	put(fx, rel, text);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/devnum", name);
	snprintf(text, sizeof(text), "%u\n", dev);
	put(fx, rel, text);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s:1.0", name);
	mkdirs(fx, rel);
	snprintf(rel, sizeof(rel), "/dev/bus/usb/%03u/%03u", bus, dev);
	put(fx, rel, "");
}

static const struct doctor_finding *find(const struct doctor_report *rep, const char *id)
{
	for (size_t i = 0; i < rep->n; i++)
		if (!strcmp(rep->f[i].id, id))
			return &rep->f[i];
	fail_msg("no finding '%s'", id);
	return NULL;
}

static void test_no_rules_is_a_permission_failure(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_string_equal(f->message, "without mtkbak's udev rules only root can open the watch "
					"(USB device nodes are root-owned)");
	assert_string_equal(f->fix, "sudo mtkbak udev --install, then unplug and replug the watch "
				    "(or run mtkbak with sudo)");
	assert_int_equal(find(&fx->rep, "udev-rules")->status, DOCTOR_WARN);
	assert_int_equal(doctor_exit_code(&fx->rep), 77);
}

static void test_group_member_is_fine(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	install_rules(fx);
	fx->env.gids[fx->env.ngids++] = 46;
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_OK);
	assert_string_equal(f->message,
			    "alice is in group plugdev, which the udev rules give the watch to");
	assert_int_equal(find(&fx->rep, "udev-rules")->status, DOCTOR_OK);
	assert_int_equal(doctor_exit_code(&fx->rep), 0);
}

static void test_added_to_group_needs_relogin(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	install_rules(fx);
	put(fx, "/etc/group", "root:x:0:\nplugdev:x:46:bob,alice\n");
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_string_equal(
	    f->message,
	    "alice was added to group plugdev after this login, so it does not count yet");
	assert_string_equal(f->fix,
			    "log out and in again (or start a shell with 'newgrp plugdev'), "
			    "then replug the watch");
}

static void test_missing_group(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	install_rules(fx);
	put(fx, "/etc/group", "root:x:0:\n");
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_string_equal(f->fix, "sudo groupadd --system plugdev && sudo usermod -aG plugdev "
				    "alice, then log in again and replug the watch");
}

static void test_seat_user_gets_uaccess(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	install_rules(fx);
	put(fx, "/run/systemd/seats/seat0", "IS_SEAT0=1\nACTIVE=c1\nACTIVE_UID=1001\n");
	doctor_run(&fx->env, &fx->rep);
	assert_int_equal(find(&fx->rep, "usb-access")->status, DOCTOR_FAIL); /* someone else */
	put(fx, "/run/systemd/seats/seat0", "IS_SEAT0=1\nACTIVE=c1\nACTIVE_UID=1000\n");
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_OK);
	assert_string_equal(f->message, "alice is logged in at this machine (seat0): the rules' "
					"uaccess tag gives alice the watch");
}

static int probe_result;
static unsigned probe_bus, probe_dev;

static int fake_usb_open(void *ctx, unsigned bus, unsigned dev)
{
	(void)ctx;
	probe_bus = bus;
	probe_dev = dev;
	return probe_result;
}

static void test_usb_probe_results(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	install_rules(fx);
	add_watch(fx, "1-2", 1, 5);
	fx->env.usb_open = fake_usb_open;

	probe_result = -EACCES;
	doctor_run(&fx->env, &fx->rep);
	assert_int_equal(probe_bus, 1);
	assert_int_equal(probe_dev, 5);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_non_null(strstr(f->message, "alice cannot open the watch at usb:1-2 "
					   "(/dev/bus/usb/001/005 is "));
	assert_string_equal(f->fix, "sudo usermod -aG plugdev alice, then log in again and replug "
				    "the watch");
	assert_int_equal(doctor_exit_code(&fx->rep), 77);

	probe_result = -EBUSY;
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_FAIL);
	assert_string_equal(f->message, "the watch at usb:1-2 is busy: another program holds it");
	assert_int_equal(doctor_exit_code(&fx->rep), 69);

	probe_result = 0;
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, DOCTOR_OK);
	assert_string_equal(f->message,
			    "alice can open the watch at usb:1-2 (/dev/bus/usb/001/005)");
	assert_int_equal(doctor_exit_code(&fx->rep), 0);

	/* -ENOSYS: the probe could not tell; fall back to the node's permissions (root may
	 * open anything, so a mode-0 node only fails for other users). */
	char node[MTK_PATH_MAX];
	snprintf(node, sizeof(node), "%s/dev/bus/usb/001/005", fx->root);
	assert_int_equal(chmod(node, 0), 0);
	probe_result = -ENOSYS;
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "usb-access");
	assert_int_equal(f->status, geteuid() == 0 ? DOCTOR_OK : DOCTOR_FAIL);
	if (geteuid() != 0)
		assert_non_null(strstr(f->message, "(/dev/bus/usb/001/005 is "));
}

static int fake_serial(void *ctx, struct doctor_serial *out, size_t max)
{
	(void)ctx;
	assert_true(max >= 3);
	memset(out, 0, 3 * sizeof(*out));
	snprintf(out[0].path, sizeof(out[0].path), "/dev/ttyS0");
	snprintf(out[1].path, sizeof(out[1].path), "COM7");
	out[1].vid = 0x0e8d;
	out[1].pid = 0x0003;
	out[1].busnum = 1;
	out[1].devnum = 5;
	snprintf(out[2].path, sizeof(out[2].path), "/dev/ttyUSB3");
	out[2].vid = 0x0403;
	out[2].pid = 0x6001;
	return 3;
}

static void test_serial_list(void **state)
{
	struct fixture *fx = *state;
	const struct doctor_finding *f;

	fx->env.list_serial = fake_serial;
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "serial");
	assert_int_equal(f->status, DOCTOR_OK);
	assert_string_equal(f->message,
			    "serial port COM7 belongs to the watch (USB bus 1 device 5) "
			    "(usable with --port serial:COM7)");
	/* With the watch in sysfs at that address, the port is named after it. */
	add_watch(fx, "1-2", 1, 5);
	doctor_run(&fx->env, &fx->rep);
	f = find(&fx->rep, "serial");
	assert_string_equal(f->message, "serial port COM7 belongs to the watch at usb:1-2 (usable "
					"with --port serial:COM7)");
}

static void test_exit_code_prefers_permission(void **state)
{
	struct doctor_report *rep = calloc(1, sizeof(*rep));

	(void)state;
	assert_non_null(rep);
	assert_int_equal(doctor_exit_code(rep), 0);
	doctor_add(rep, "a", DOCTOR_WARN, 77, NULL, "warning only");
	assert_int_equal(doctor_exit_code(rep), 0);
	assert_int_equal(rep->f[0].exit_code, 0);
	doctor_add(rep, "b", DOCTOR_FAIL, 69, "fix b", "busy");
	assert_int_equal(doctor_exit_code(rep), 69);
	doctor_add(rep, "c", DOCTOR_FAIL, 77, NULL, "denied");
	assert_int_equal(doctor_exit_code(rep), 77);
	for (int i = 0; i < 100; i++) /* a full report drops findings, never overflows */
		doctor_add(rep, "x", DOCTOR_INFO, 0, NULL, "%d", i);
	assert_int_equal(rep->n, DOCTOR_MAX_FINDINGS);
	free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_rules_is_a_permission_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_member_is_fine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_added_to_group_needs_relogin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seat_user_gets_uaccess, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_usb_probe_results, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_serial_list, setup, teardown),
	    cmocka_unit_test(test_exit_code_prefers_permission),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
