/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host probes (include/mtkbak/hostenv.h) against fake roots: watches and their
 * interfaces in sysfs (active configuration, tty/NAME and ttyNAME layouts), holders in /proc,
 * udev's ID_MM_DEVICE_IGNORE, rules files, groups and seats. */
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
#include "mtkbak/hostenv.h"

struct fixture {
	char root[256];
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

static void link_to(struct fixture *fx, const char *rel, const char *target)
{
	char path[MTK_PATH_MAX], dir[MTK_PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", fx->root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->root, sizeof(fx->root), "/tmp/mtkbak-test-hostenv-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	mkdirs(fx, "/sys/bus/usb/devices");
	put(fx, "/proc/1/comm", "systemd\n");
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

static void add_usb(struct fixture *fx, const char *name, const char *vid, const char *pid,
		    unsigned bus, unsigned dev)
{
	char rel[256], text[32];

	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/idVendor", name);
	put(fx, rel, vid);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/idProduct", name);
	put(fx, rel, pid);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/busnum", name);
	snprintf(text, sizeof(text), "%u\n", bus);
	put(fx, rel, text);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/devnum", name);
	snprintf(text, sizeof(text), "%u\n", dev);
	put(fx, rel, text);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s/dev", name);
	snprintf(text, sizeof(text), "189:%u\n", (bus - 1) * 128 + dev - 1);
	put(fx, rel, text);
	snprintf(rel, sizeof(rel), "/sys/bus/usb/devices/%s:1.0", name);
	mkdirs(fx, rel);
}

static void test_watches_sorted_with_drivers_and_tty(void **state)
{
	struct fixture *fx = *state;
	struct hostenv_usb w[4];

	add_usb(fx, "2-1.3", "0e8d\n", "0003\n", 2, 12);
	add_usb(fx, "1-4", "0e8d\n", "0003\n", 1, 3);
	put(fx, "/sys/bus/usb/devices/1-4/bConfigurationValue", "1\n");
	mkdirs(fx, "/sys/bus/usb/devices/1-4:1.1/tty/ttyACM2"); /* cdc_acm's layout */
	link_to(fx, "/sys/bus/usb/devices/1-4:1.1/driver", "../../../../bus/usb/drivers/cdc_acm");
	add_usb(fx, "1-9", "0e8d\n", "2000\n", 1, 9); /* another MediaTek PID */

	assert_int_equal(hostenv_find_usb(fx->root, 0x0e8d, 0x0003, w, 4), 2);
	assert_string_equal(w[0].name, "1-4"); /* sorted */
	assert_int_equal(w[0].config, 1);
	assert_int_equal(w[0].nifaces, 2);
	assert_string_equal(w[0].iface_driver[0], "");
	assert_string_equal(w[0].iface_driver[1], "cdc_acm");
	assert_string_equal(hostenv_usb_first_driver(&w[0]), "cdc_acm");
	assert_string_equal(w[0].tty, "ttyACM2");
	assert_string_equal(w[0].node, "/dev/bus/usb/001/003");
	assert_string_equal(w[0].dev, "189:2");
	assert_string_equal(w[1].name, "2-1.3");
	assert_int_equal(w[1].busnum, 2);
	assert_int_equal(w[1].devnum, 12);
	assert_string_equal(w[1].tty, "");
	assert_int_equal(hostenv_find_usb(fx->root, 0x0e8d, 0x0003, w, 1), 1);
	assert_int_equal(hostenv_find_usb(fx->root, 0x0e8d, 0x2000, w, 4), 1);
	assert_string_equal(w[0].name, "1-9");
}

/* A device in configuration 2 with a usb-serial driver's IFACE/ttyUSB0 layout: the old
 * usb.c probe read NAME:1.N/tty/ only and found neither driver nor tty. */
static void test_active_configuration_and_ttyname_layout(void **state)
{
	struct fixture *fx = *state;
	struct hostenv_usb w;

	add_usb(fx, "3-1", "0e8d\n", "0003\n", 3, 2);
	put(fx, "/sys/bus/usb/devices/3-1/bConfigurationValue", "2\n");
	link_to(fx, "/sys/bus/usb/devices/3-1:1.0/driver", "../../../../bus/usb/drivers/wrong");
	mkdirs(fx, "/sys/bus/usb/devices/3-1:2.0/ttyUSB1");
	link_to(fx, "/sys/bus/usb/devices/3-1:2.0/driver",
		"../../../../bus/usb/drivers/usbserial_generic");

	assert_int_equal(hostenv_usb_describe(fx->root, "3-1", &w), 0);
	assert_int_equal(w.config, 2);
	assert_int_equal(w.nifaces, 1);
	assert_string_equal(w.iface_driver[0], "usbserial_generic");
	assert_string_equal(w.tty, "ttyUSB1");
	assert_int_equal(hostenv_usb_describe(fx->root, "9-9", &w), -ENOENT);
	/* nonsense configuration values fall back to 1 */
	put(fx, "/sys/bus/usb/devices/3-1/bConfigurationValue", "999\n");
	assert_int_equal(hostenv_usb_describe(fx->root, "3-1", &w), 0);
	assert_int_equal(w.config, 1);
	assert_string_equal(w.iface_driver[0], "wrong");
	assert_string_equal(w.tty, "");
}

static void test_processes_and_holders(void **state)
{
	struct fixture *fx = *state;
	char comm[48];

	put(fx, "/proc/812/comm", "ModemManager\n");
	put(fx, "/proc/77/comm", "ModemManager\n");
	link_to(fx, "/proc/812/fd/7", "/dev/ttyACM0");
	link_to(fx, "/proc/900/fd/3", "/dev/ttyACM0"); /* no comm readable */
	link_to(fx, "/proc/1/fd/0", "/dev/null");
	assert_int_equal(hostenv_find_process(fx->root, "ModemManager"), 77);
	assert_int_equal(hostenv_find_process(fx->root, "minicom"), 0);
	assert_int_equal(hostenv_tty_holder(fx->root, "/dev/ttyACM0", comm, sizeof(comm)), 812);
	assert_string_equal(comm, "ModemManager");
	assert_int_equal(hostenv_tty_holder(fx->root, "/dev/ttyACM1", comm, sizeof(comm)), 0);
	assert_string_equal(comm, "");
	rm_rf(fx->root);
	assert_int_equal(hostenv_find_process(fx->root, "ModemManager"), -ENOENT);
}

static void test_udev_database(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(hostenv_mm_ignored(fx->root, "189:4", "ttyACM0"), -1);
	put(fx, "/run/udev/data/c189:4", "I:1\nE:ID_VENDOR=MediaTek\n");
	assert_int_equal(hostenv_mm_ignored(fx->root, "189:4", ""), 0);
	/* the tty's own entry, found through /sys/class/tty/NAME/dev */
	put(fx, "/sys/class/tty/ttyACM0/dev", "166:0\n");
	put(fx, "/run/udev/data/c166:0", "E:ID_MM_DEVICE_IGNORE=1\n");
	assert_int_equal(hostenv_mm_ignored(fx->root, "189:4", "/dev/ttyACM0"), 1);
	assert_int_equal(hostenv_mm_ignored(fx->root, "", "ttyACM0"), 1);
	/* a line that only ends in the key does not count */
	put(fx, "/run/udev/data/c189:4", "E:XID_MM_DEVICE_IGNORE=1\n");
	assert_int_equal(hostenv_mm_ignored(fx->root, "189:4", NULL), 0);
	put(fx, "/run/udev/data/c189:4", "E:A=1\nE:ID_MM_DEVICE_IGNORE=1\n");
	assert_int_equal(hostenv_mm_ignored(fx->root, "189:4", NULL), 1);
	assert_int_equal(hostenv_mm_ignored(fx->root, "../../etc/passwd", NULL), -1);
}

static void test_rules_files(void **state)
{
	static const char *const dirs[] = {"/etc/udev/rules.d", "/lib/udev/rules.d"};
	struct fixture *fx = *state;
	struct hostenv_rules ri;
	const char *ours = "# mtkbak rules\nENV{ID_MM_DEVICE_IGNORE}=\"1\", GROUP=\"plugdev\"\n";

	hostenv_find_rules(fx->root, dirs, 2, "60-mtkbak.rules", ours, &ri);
	assert_int_equal(ri.state, HOSTENV_RULES_NONE);
	assert_string_equal(ri.other, "");
	put(fx, "/lib/udev/rules.d/80-mtkclient.rules",
	    "SUBSYSTEM==\"usb\", ATTR{idVendor}==\"0E8D\", TAG+=\"uaccess\", GROUP=\"dialout\"\n");
	hostenv_find_rules(fx->root, dirs, 2, "60-mtkbak.rules", ours, &ri);
	assert_int_equal(ri.state, HOSTENV_RULES_NONE);
	assert_string_equal(ri.other, "/lib/udev/rules.d/80-mtkclient.rules");
	assert_true(ri.other_late_uaccess);
	assert_false(ri.mm_ignore);
	assert_string_equal(ri.group, "dialout");
	put(fx, "/lib/udev/rules.d/60-mtkbak.rules", ours);
	hostenv_find_rules(fx->root, dirs, 2, "60-mtkbak.rules", ours, &ri);
	assert_int_equal(ri.state, HOSTENV_RULES_CURRENT);
	assert_string_equal(ri.path, "/lib/udev/rules.d/60-mtkbak.rules");
	assert_true(ri.ours);
	assert_true(ri.mm_ignore);
	assert_string_equal(ri.group, "plugdev");
	/* an earlier folder wins: an edited copy, then a mask */
	put(fx, "/etc/udev/rules.d/60-mtkbak.rules", "# mtkbak, edited\n");
	hostenv_find_rules(fx->root, dirs, 2, "60-mtkbak.rules", ours, &ri);
	assert_int_equal(ri.state, HOSTENV_RULES_DIFFER);
	assert_true(ri.ours);
	assert_false(ri.mm_ignore);
	char path[MTK_PATH_MAX];
	snprintf(path, sizeof(path), "%s/etc/udev/rules.d/60-mtkbak.rules", fx->root);
	assert_int_equal(unlink(path), 0);
	link_to(fx, "/etc/udev/rules.d/60-mtkbak.rules", "/dev/null");
	hostenv_find_rules(fx->root, dirs, 2, "60-mtkbak.rules", ours, &ri);
	assert_int_equal(ri.state, HOSTENV_RULES_MASKED);
}

static void test_users_groups_seats(void **state)
{
	struct fixture *fx = *state;
	unsigned gid = 0;
	bool listed = true;
	char name[32], seat[16] = "";

	put(fx, "/etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/a:/bin/sh\n");
	put(fx, "/etc/group", "root:x:0:\nplugdev:x:46:bob,alice\ndialout:x:20:\n");
	assert_true(hostenv_group_lookup(fx->root, "plugdev", "alice", &gid, &listed));
	assert_int_equal(gid, 46);
	assert_true(listed);
	assert_true(hostenv_group_lookup(fx->root, "dialout", "alice", &gid, &listed));
	assert_int_equal(gid, 20);
	assert_false(listed);
	assert_false(hostenv_group_lookup(fx->root, "nosuch", "alice", &gid, &listed));
	hostenv_id_name(fx->root, "passwd", 1000, name, sizeof(name));
	assert_string_equal(name, "alice");
	hostenv_id_name(fx->root, "group", 20, name, sizeof(name));
	assert_string_equal(name, "dialout");
	hostenv_id_name(fx->root, "group", 4242, name, sizeof(name));
	assert_string_equal(name, "4242");
	assert_false(hostenv_seat_user(fx->root, 1000, seat, sizeof(seat)));
	put(fx, "/run/systemd/seats/seat0", "IS_SEAT0=1\nACTIVE_UID=1000\n");
	assert_true(hostenv_seat_user(fx->root, 1000, seat, sizeof(seat)));
	assert_string_equal(seat, "seat0");
	assert_false(hostenv_seat_user(fx->root, 1001, seat, sizeof(seat)));
}

static void test_paths_and_small_reads(void **state)
{
	struct fixture *fx = *state;
	char path[64], buf[8];
	char big[300];

	assert_true(hostenv_path("/r", path, sizeof(path), "/sys/%s", "x"));
	assert_string_equal(path, "/r/sys/x");
	assert_true(hostenv_path(NULL, path, sizeof(path), "/proc"));
	assert_string_equal(path, "/proc");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_false(hostenv_path("/r", path, sizeof(path), "%s", big));
	put(fx, "/f", "0123456789\n");
	snprintf(big, sizeof(big), "%s/f", fx->root);
	assert_int_equal(hostenv_read_small(big, buf, sizeof(buf)), 7); /* bounded */
	assert_string_equal(buf, "0123456");
	assert_true(hostenv_read_small("/nonexistent/x", buf, sizeof(buf)) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_watches_sorted_with_drivers_and_tty, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_active_configuration_and_ttyname_layout, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_processes_and_holders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_udev_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rules_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_users_groups_seats, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_paths_and_small_reads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
