/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ux.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _WIN32
#include "mtkbak/win32.h"
#endif

#include "mtkbak/clock.h"
#include "mtkbak/text.h"

/* Global UX state: allowed here, src/cli is the only place with globals. */
static struct ux_opts g_opts;
static FILE *g_logfile;
static bool g_tty;
static bool g_bar_shown;
/* "\033[K" (erase to the end of the line) where the terminal takes VT sequences; else the
 * bar is redrawn after a plain \r and padded with spaces over the longer previous line. */
static bool g_vt = true;
static int g_bar_len;
static double g_bar_last, g_bar_start, g_json_last;
static uint64_t g_bar_start_bytes;
static struct jw g_event;
static volatile sig_atomic_t g_interrupted;

void ux_init(const struct ux_opts *o)
{
	g_opts = *o;
	g_tty = isatty(STDOUT_FILENO) && !o->json;
#ifdef _WIN32
	{
		enum win32_console c = win32_console_stdout();

		g_tty = c != WIN32_NOT_CONSOLE && !o->json; /* isatty() is true for NUL */
		g_vt = c == WIN32_CONSOLE_VT;
	}
#endif
}

bool ux_is_json(void)
{
	return g_opts.json;
}

void ux_set_logfile(FILE *f)
{
	g_logfile = f;
}

static void log_line(const char *tag, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (!g_logfile)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(g_logfile, "%s.%03ld %-5s %s\n", when, ts.tv_nsec / 1000000L, tag, msg);
	fflush(g_logfile);
}

void ux_progress_end(void)
{
	if (g_bar_shown) {
		if (g_vt)
			fputs("\r\033[K", stdout);
		else
			printf("\r%*s\r", g_bar_len, "");
		fflush(stdout);
		g_bar_shown = false;
		g_bar_len = 0;
	}
	g_bar_start = 0;
}

struct jw *ux_event_begin(const char *type)
{
	jw_init(&g_event, stdout, false);
	jw_obj_begin(&g_event);
	jw_kstr(&g_event, "event", type);
	return &g_event;
}

void ux_event_end(void)
{
	jw_obj_end(&g_event);
	jw_end_line(&g_event);
}

static void json_message(const char *type, const char *msg)
{
	struct jw *w = ux_event_begin(type);

	jw_kstr(w, "message", msg);
	ux_event_end();
}

#define FORMAT_MSG(buf, fmt)                                                                       \
	do {                                                                                       \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vsnprintf(buf, sizeof(buf), fmt, ap);                                              \
		va_end(ap);                                                                        \
	} while (0)

void ux_state(const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	log_line("state", msg);
	if (g_opts.json) {
		json_message("state", msg);
		return;
	}
	if (g_opts.quiet)
		return;
	ux_progress_end();
	printf("%s\n", msg);
	fflush(stdout);
}

void ux_info(const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	log_line("info", msg);
	if (g_opts.json || g_opts.quiet)
		return;
	ux_progress_end();
	printf("%s\n", msg);
	fflush(stdout);
}

void ux_warn(const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	log_line("warn", msg);
	if (g_opts.json)
		json_message("warning", msg);
	ux_progress_end();
	fprintf(stderr, "mtkbak: warning: %s\n", msg);
}

void ux_error(const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	log_line("error", msg);
	if (g_opts.json)
		json_message("error", msg);
	ux_progress_end();
	fprintf(stderr, "mtkbak: error: %s\n", msg);
}

void ux_hint(const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	log_line("hint", msg);
	if (g_opts.json)
		json_message("hint", msg);
	ux_progress_end();
	fprintf(stderr, "  hint: %s\n", msg);
}

void ux_debug(int level, const char *fmt, ...)
{
	char msg[1024];

	FORMAT_MSG(msg, fmt);
	if (level <= MTK_LOG_DEBUG)
		log_line("debug", msg);
	if (g_opts.verbose <= level)
		return;
	ux_progress_end();
	fprintf(stderr, "  %s\n", msg);
}

void ux_progress(const char *what, uint64_t done, uint64_t total)
{
	double t = mtk_now_s();
	double rate, elapsed;

	if (g_bar_start == 0) {
		g_bar_start = t;
		g_bar_start_bytes = done;
		g_bar_last = 0;
	}
	elapsed = t - g_bar_start;
	rate = elapsed > 0.05 ? (double)(done - g_bar_start_bytes) / elapsed : 0;
	if (g_opts.json) {
		if (t - g_json_last < 0.5 && done != total)
			return;
		g_json_last = t;
		struct jw *w = ux_event_begin("progress");
		jw_kstr(w, "what", what);
		jw_kuint(w, "done", done);
		jw_kuint(w, "total", total);
		jw_key(w, "bytes_per_second");
		jw_double(w, rate);
		ux_event_end();
		return;
	}
	if (!g_tty || g_opts.quiet)
		return;
	if (t - g_bar_last < 0.1 && done != total)
		return;
	g_bar_last = t;

	char d[32], tot[32], eta[32] = "--:--";
	int pct = total ? (int)(done * 100 / total) : 0;
	int width = 24, fill = total ? (int)((double)done / (double)total * width) : 0;
	char bar[32];

	mtk_size_text(done, d, sizeof(d));
	mtk_size_text(total, tot, sizeof(tot));
	if (rate > 0 && total > done) {
		unsigned s = (unsigned)((double)(total - done) / rate);
		snprintf(eta, sizeof(eta), "%u:%02u", s / 60, s % 60);
	}
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	char line[256];
	int n = snprintf(line, sizeof(line), "%s [%s] %3d%% %s / %s  %.2f MB/s  ETA %s", what, bar,
			 pct, d, tot, rate / 1e6, eta);

	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	if (g_vt)
		printf("\r\033[K%s", line);
	else
		printf("\r%s%*s", line, g_bar_len > n ? g_bar_len - n : 0, "");
	if (n > g_bar_len)
		g_bar_len = n;
	fflush(stdout);
	g_bar_shown = true;
}

static void ux_log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	ux_debug(level, "%s", msg);
}

static const struct mtk_log g_log = {ux_log_fn, NULL};

const struct mtk_log *ux_log(void)
{
	return &g_log;
}

static void on_signal(int sig)
{
	(void)sig;
	if (g_interrupted)
		_exit(130); /* second Ctrl-C: leave at once */
	g_interrupted = 1;
}

void ux_catch_signals(void)
{
#ifdef _WIN32
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
#else
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
#endif
}

int ux_interrupted(void)
{
	return g_interrupted;
}
