/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readback engine against an in-memory watch (tests/lib/readback_fake.c): sizing, exact
 * output, --force, bad chunks, cable drops, Ctrl-C and resume, and the verification repair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hash.h"
#include "mtkbak/clock.h"
#include "readback/rb_internal.h"
#include "readback_fake.h"

#define MiB (1024u * 1024u)
#define KiB 1024u

struct fixture {
	char dir[64];
	char out[MTK_PATH_MAX], part[MTK_PATH_MAX + 8], statef[MTK_PATH_MAX + 16];
	uint8_t *flash;
	struct rb_fake f;
	struct readback_opts o;
	struct readback_result r;
	unsigned states, warns;
	char last_state[512], last_warn[512], all_states[8192];
};

static void on_state(void *ctx, const char *msg)
{
	struct fixture *x = ctx;
	size_t n = strlen(x->all_states);

	x->states++;
	snprintf(x->last_state, sizeof(x->last_state), "%s", msg);
	snprintf(x->all_states + n, sizeof(x->all_states) - n, "%s\n", msg);
}

static void on_warn(void *ctx, const char *msg)
{
	struct fixture *x = ctx;

	x->warns++;
	snprintf(x->last_warn, sizeof(x->last_warn), "%s", msg);
}

static int on_cancel(void *ctx)
{
	struct fixture *x = ctx;

	return rb_fake_cancelled(&x->f);
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));

	snprintf(x->dir, sizeof(x->dir), "/tmp/mtkbak-rbtest-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	path_join(x->out, x->dir, "flash.bin");
	snprintf(x->part, sizeof(x->part), "%s.part", x->out);
	readback_state_path(x->out, x->statef, sizeof(x->statef));
	x->flash = malloc(16 * MiB);
	rb_fake_fill(x->flash, 16 * MiB, 42);
	memcpy(x->flash, "SF_BOOT\0", 8);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	rm_rf(x->dir);
	free(x->flash);
	free(x);
	return 0;
}

/* A fresh watch of `size` bytes (agent or not) and default options. */
static void watch(struct fixture *x, uint32_t size, bool agent)
{
	memset(&x->f, 0, sizeof(x->f));
	x->f.flash = x->flash;
	x->f.flash_len = size;
	x->f.agent = agent;
	x->f.jedec[0] = 0xC8;
	x->f.jedec[1] = 0x40;
	for (uint32_t s = size; s > 1; s >>= 1)
		x->f.jedec[2]++;
	x->f.sfdp_size = size;
	for (int i = 0; i < 16; i++)
		x->f.me_id[i] = (uint8_t)i;
	readback_opts_default(&x->o);
	x->o.out_path = x->out;
	x->o.no_da = !agent;
	x->o.chunk_size = 512 * KiB;
	x->o.reconnect_timeout_ms = 2000;
	x->o.state = on_state;
	x->o.warn = on_warn;
	x->o.cancelled = on_cancel;
	x->o.cb_ctx = x;
	x->states = x->warns = 0;
	x->all_states[0] = '\0';
}

static int run(struct fixture *x)
{
	return rb_engine_run(&x->o, &rb_fake_ops, &x->f, &x->r);
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* The output file holds exactly the first `size` bytes of the flash, and nothing is left. */
static void assert_exact(struct fixture *x, uint32_t size)
{
	uint8_t *buf;
	size_t len;
	uint8_t sha[32];

	assert_int_equal(read_whole_file(x->out, &buf, &len, 32 * MiB), 0);
	assert_int_equal(len, size);
	assert_memory_equal(buf, x->flash, size);
	free(buf);
	assert_false(exists(x->part));
	assert_false(exists(x->statef));
	assert_int_equal(x->r.size, size);
	assert_int_equal(x->r.crc32, rb_crc32(0, x->flash, size));
	mtk_sha256(x->flash, size, sha);
	assert_memory_equal(x->r.sha256, sha, 32);
}

static void test_clean_reads(void **state)
{
	struct fixture *x = *state;
	const uint32_t sizes[] = {1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB};

	for (size_t i = 0; i < 4; i++) {
		watch(x, sizes[i], true);
		assert_int_equal(run(x), 0);
		assert_exact(x, sizes[i]);
		assert_true(x->r.device_crc_checked);
		assert_int_equal(x->r.size_source, READBACK_SIZE_JEDEC);
		assert_false(x->r.size_conflict);
		assert_int_equal(x->warns, 0);
		assert_int_equal(x->f.finishes, 1);
		assert_int_equal(x->r.reconnects, 0);
		assert_false(x->r.resumed);
		/* the flash start read while sizing is reused, not read twice */
		assert_true(x->r.bytes_transferred < sizes[i] + 512 * KiB);
		unlink(x->out);
	}
}

static void test_brom_only(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, false);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_false(x->r.device_crc_checked);
	assert_false(x->r.have_jedec);
	assert_int_equal(x->r.size_source, READBACK_SIZE_MIRROR);
	assert_int_equal(x->r.mirror_size, 4 * MiB);
}

/* Issue 12: the SFC fails (agent status 0x2D04): no JEDEC ID, the read still completes with
 * the mirror test, or --length, and says which evidence decided; the data path needs no SPI. */
static void test_spi_failure(void **state)
{
	struct fixture *x = *state;

	watch(x, 8 * MiB, true);
	x->f.spi_fail = true;
	assert_int_equal(run(x), 0);
	assert_exact(x, 8 * MiB);
	assert_false(x->r.have_jedec);
	assert_int_equal(x->r.size_source, READBACK_SIZE_MIRROR);
	assert_true(x->r.device_crc_checked); /* the agent's CRC-32 does not need SPI either */
	assert_true(x->warns >= 1);
	unlink(x->out);

	watch(x, 4 * MiB, true);
	x->f.spi_fail = true;
	x->o.length = 4 * MiB;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_int_equal(x->r.size_source, READBACK_SIZE_USER);
	assert_non_null(strstr(x->last_warn, "no JEDEC ID, no SFDP; size: --length 4 MiB"));
}

static void test_wrong_jedec(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, true);
	x->f.jedec[2] = 0x18; /* claims 16 MiB */
	x->f.sfdp_size = 0;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.size_conflict);
	assert_int_equal(x->r.size_source, READBACK_SIZE_MIRROR);
	assert_true(x->warns >= 1);
	assert_non_null(strstr(x->last_warn, "C8 40 18"));
}

static void test_user_length(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, true);
	x->o.length = 1 * MiB;
	assert_int_equal(run(x), 0);
	assert_exact(x, 1 * MiB);
	assert_int_equal(x->r.size_source, READBACK_SIZE_USER);
}

static void test_exists_and_force(void **state)
{
	struct fixture *x = *state;

	watch(x, 1 * MiB, true);
	assert_int_equal(atomic_write_file(x->out, "old", 3, true), 0);
	assert_int_equal(run(x), mtk_output_err(-EEXIST)); /* an output-file error (73) */
	assert_int_equal(x->f.connects, 0);		   /* refused before touching the watch */
	assert_false(exists(x->part));
	x->o.force = true;
	assert_int_equal(run(x), 0);
	assert_exact(x, 1 * MiB);
}

static void test_bad_chunk_reread(void **state)
{
	struct fixture *x = *state;

	/* a silent bit flip the packet CRCs missed: the chunk CRC catches it */
	watch(x, 4 * MiB, true);
	x->f.corrupt_at = 3 * MiB + 12345;
	x->f.corrupt_times = 1;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.retries >= 1);

	/* bad packets beyond the agent's own retries */
	unlink(x->out);
	watch(x, 4 * MiB, true);
	x->f.badmsg_at = 3 * MiB + 100 * KiB;
	x->f.badmsg_times = 1;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_int_equal(x->r.retries, 1);

	/* ... also while sizing (2 MiB is a mirror-test sample) */
	unlink(x->out);
	watch(x, 4 * MiB, true);
	x->f.badmsg_at = 2 * MiB + 5;
	x->f.badmsg_times = 1;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_int_equal(x->r.retries, 1);

	/* a chunk that never reads right: give up, no output */
	unlink(x->out);
	watch(x, 4 * MiB, true);
	x->f.corrupt_at = 3 * MiB + 12345;
	x->f.corrupt_times = 100;
	assert_int_equal(run(x), -EBADMSG);
	assert_false(exists(x->out));
	assert_true(exists(x->part));
	assert_non_null(strstr(x->r.error_context, "CRC-32"));
}

static void test_disconnect_and_back(void **state)
{
	struct fixture *x = *state;
	const double at[] = {0.10, 0.50, 0.99};

	for (int i = 0; i < 3; i++) {
		watch(x, 4 * MiB, true);
		/* served bytes run ~40 KiB ahead of the file offset (the size probe) */
		x->f.disconnect_at = (uint64_t)(at[i] * 4 * MiB) + 40 * KiB;
		x->f.absent_connects = 3;
		assert_int_equal(run(x), 0);
		assert_exact(x, 4 * MiB);
		assert_int_equal(x->r.reconnects, 1);
		assert_non_null(strstr(x->all_states, "Plug the watch in again"));
		assert_non_null(strstr(x->all_states, "The watch is back"));
		unlink(x->out);
	}

	/* a drop while sizing */
	watch(x, 4 * MiB, true);
	x->f.disconnect_at = 100 * KiB;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_int_equal(x->r.reconnects, 1);
	assert_non_null(strstr(x->all_states, "while sizing"));
}

/* A link that drops every 300 KiB (more often than a 1 MiB chunk): the read goes on in
 * smaller pieces and finishes exactly (before, every chunk was thrown away and it never did). */
static void test_link_drops_often(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, true);
	x->o.chunk_size = 1 * MiB;
	x->f.disconnect_at = 600 * KiB;
	x->f.disconnect_every = 300 * KiB;
	x->f.absent_connects = 1;
	x->o.max_reconnects = 60;
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.reconnects >= 5);
}

static void test_never_back_then_rerun(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, true);
	x->f.disconnect_at = 2 * MiB + 600 * KiB;
	x->f.never_back = true;
	assert_int_equal(run(x), -ETIMEDOUT);
	assert_non_null(strstr(x->r.error_context, "did not come back"));
	assert_true(exists(x->part));
	assert_true(exists(x->statef));
	assert_true(x->r.verified >= 1 * MiB);
	uint32_t kept = x->r.verified;

	/* the same command again continues */
	watch(x, 4 * MiB, true);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.resumed);
	assert_int_equal(x->r.resumed_from, kept);
	assert_true(x->r.bytes_transferred < 4 * MiB - kept + 512 * KiB);
}

static void test_other_watch_comes_back(void **state)
{
	struct fixture *x = *state;

	watch(x, 4 * MiB, true);
	x->f.disconnect_at = 2 * MiB;
	x->f.me_id_changes = true;
	memset(x->f.me_id_after_reconnect, 0x77, 16);
	assert_int_equal(run(x), -ENODEV);
	assert_non_null(strstr(x->r.error_context, "different watch"));
	assert_false(exists(x->out));
}

static void test_cancel_and_resume(void **state)
{
	struct fixture *x = *state;

	watch(x, 8 * MiB, true);
	x->f.cancel_at = 5 * MiB;
	assert_int_equal(run(x), -EINTR);
	assert_true(exists(x->part));
	assert_true(exists(x->statef));
	assert_false(exists(x->out));
	assert_true(x->r.verified >= 4 * MiB);
	assert_non_null(strstr(x->r.error_context, "stopped while reading"));
	uint32_t kept = x->r.verified;

	watch(x, 8 * MiB, true);
	assert_int_equal(run(x), 0);
	assert_exact(x, 8 * MiB);
	assert_true(x->r.resumed);
	assert_int_equal(x->r.resumed_from, kept);
	assert_non_null(strstr(x->all_states, "Resuming"));

	/* BROM-only resumes too */
	unlink(x->out);
	watch(x, 4 * MiB, false);
	x->f.cancel_at = 3 * MiB;
	assert_int_equal(run(x), -EINTR);
	watch(x, 4 * MiB, false);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.resumed);
}

static void test_resume_refused(void **state)
{
	struct fixture *x = *state;

	/* interrupted on one watch ... */
	watch(x, 4 * MiB, true);
	x->f.cancel_at = 3 * MiB;
	assert_int_equal(run(x), -EINTR);
	/* ... continued on another: starts over */
	watch(x, 4 * MiB, true);
	memset(x->f.me_id, 0x55, 16);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_false(x->r.resumed);
	assert_non_null(strstr(x->all_states, "another watch"));

	/* a .part changed behind the record's back: starts over */
	unlink(x->out);
	watch(x, 4 * MiB, true);
	x->f.cancel_at = 3 * MiB;
	assert_int_equal(run(x), -EINTR);
	FILE *f = fopen(x->part, "r+b");
	fputc('X', f);
	fclose(f);
	watch(x, 4 * MiB, true);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_false(x->r.resumed);
	assert_non_null(strstr(x->all_states, "changed"));

	/* a different size asked for: starts over */
	unlink(x->out);
	watch(x, 4 * MiB, true);
	x->f.cancel_at = 3 * MiB;
	assert_int_equal(run(x), -EINTR);
	watch(x, 4 * MiB, true);
	x->o.length = 2 * MiB;
	assert_int_equal(run(x), 0);
	assert_exact(x, 2 * MiB);
	assert_false(x->r.resumed);

	/* a garbage record */
	unlink(x->out);
	assert_int_equal(atomic_write_file(x->statef, "junk\n", 5, true), 0);
	assert_int_equal(atomic_write_file(x->part, "junk\n", 5, true), 0);
	watch(x, 1 * MiB, true);
	assert_int_equal(run(x), 0);
	assert_exact(x, 1 * MiB);
	assert_non_null(strstr(x->all_states, "Starting over"));
}

static void test_repair_from_whole_crc(void **state)
{
	struct fixture *x = *state;
	struct rb_state st = {.size = 4 * MiB, .have_jedec = true, .jedec = {0xC8, 0x40, 0x16}};
	uint8_t *bad = malloc(1 * MiB);

	/* a record that matches its .part, but the .part's second chunk is not the flash:
	 * only the whole-image CRC on the watch can notice, and the repair re-reads it */
	memcpy(bad, x->flash, 1 * MiB);
	bad[300 * KiB] ^= 1;
	for (int i = 0; i < 16; i++)
		st.me_id[i] = (uint8_t)i;
	st.verified = 1 * MiB;
	st.verified_crc = rb_crc32(0, bad, 1 * MiB);
	assert_int_equal(atomic_write_file(x->part, bad, 1 * MiB, true), 0);
	assert_int_equal(rb_state_save(x->statef, &st, true), 0);
	watch(x, 4 * MiB, true);
	assert_int_equal(run(x), 0);
	assert_exact(x, 4 * MiB);
	assert_true(x->r.resumed);
	assert_true(x->r.retries >= 1);
	assert_non_null(strstr(x->all_states, "again"));
	free(bad);
}

static void test_connect_errors(void **state)
{
	struct fixture *x = *state;

	watch(x, 1 * MiB, true);
	x->f.connect_error = -EPERM;
	assert_int_equal(run(x), -EPERM);
	assert_false(exists(x->part));
	assert_false(exists(x->out));

	watch(x, 1 * MiB, true);
	x->o.chunk_size = 100; /* not a sane chunk */
	assert_int_equal(run(x), -EINVAL);

	/* an output folder that does not exist: refused before touching the watch */
	char bad[MTK_PATH_MAX + 16];
	snprintf(bad, sizeof(bad), "%s/nope/flash.bin", x->dir);
	watch(x, 1 * MiB, true);
	x->o.out_path = bad;
	assert_int_equal(run(x), mtk_output_err(-ENOENT)); /* exit 73, not 66 */
	assert_int_equal(x->f.connects, 0);
	assert_non_null(strstr(x->r.error_context, "output folder"));
}

/* The engine's own cost (file, CRC-32, SHA-256, bookkeeping) on 16 MiB from a watch that
 * answers instantly: printed for bench/read.sh, asserted only loosely (shared machines). */
static void test_host_throughput(void **state)
{
	struct fixture *x = *state;
	double s;

	watch(x, 16 * MiB, true);
	x->o.chunk_size = 1 * MiB;
	double a = mtk_now_s();
	assert_int_equal(run(x), 0);
	double b = mtk_now_s();
	s = b - a;
	assert_exact(x, 16 * MiB);
	printf("readback engine, host side only: 16 MiB in %.3f s = %.0f MB/s\n", s,
	       16.0 * MiB / s / 1e6);
	assert_true(s < 10.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clean_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_brom_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_jedec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spi_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exists_and_force, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_chunk_reread, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disconnect_and_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_drops_often, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_never_back_then_rerun, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_watch_comes_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_and_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resume_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_repair_from_whole_crc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_throughput, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
