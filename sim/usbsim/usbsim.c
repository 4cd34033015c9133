/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak-usbsim: the simulated watch (include/mtkbak/sim.h, the same model as --port sim:)
 * served as a real USB device to a QEMU guest over usbredir. QEMU runs
 *   -chardev socket,id=ur0,path=SOCK,server=on,wait=off -device usb-redir,chardev=ur0,...
 * and this program is the usbredir "usb-host" side: connecting the socket plugs the watch in,
 * closing it pulls the cable. The watch's presence on the bus (sim_present/sim_generation,
 * including fault options such as disconnect=N,replug=MS and window=MS) is mirrored onto the
 * socket, so a cable drop inside the simulator is a real disconnect in the guest.
 *
 * Threads: the main thread owns the socket and the usbredir parser; a reader thread blocks in
 * sim_host_read() for the bulk IN requests QEMU holds open (a device NAKs until it has data),
 * and hands the bytes over through a mutex and a wake-up pipe. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <usbredirparser.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/sim.h"
#include "mtkbak/clock.h"
#include "usb_desc.h"

#define RX_MAX	     (256u * 1024u) /* largest bulk IN reply in one piece */
#define IN_QUEUE_MAX 1024	    /* bulk IN requests QEMU may hold open at once */
#define READ_MS	     100 /* the reader's wait per sim_host_read, then it checks for a change */
#define POLL_MS	     10	 /* presence is checked at least this often */
#define OUT_TIMEOUT  5000
#define CTL_LINE_MAX 1024
#define FLUSH_MS     200

struct in_req {
	uint64_t id;
	uint32_t len;
};

/* Shared between the main thread and the reader thread (guarded by mu). */
struct reader {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sim_watch *w; /* NULL while the watch is being replaced */
	bool quit, busy;
	size_t want;	/* bytes wanted by the oldest open IN request, 0 = none */
	uint64_t epoch; /* connection the data is for; data of an older one is dropped */
	uint8_t *buf;	/* bytes read from the watch, not yet handed to QEMU */
	size_t len, off;
	int wake_wr;
};

struct usbsim {
	/* configuration */
	const char *sock_path;
	const char *ctl_path;
	const char *image_path;
	int wait_socket_ms, min_off_ms, verbose;
	uint8_t *image;
	size_t image_len;
	struct sim_opts base_opts;
	char base_opts_text[512];

	struct sim_watch *w;
	struct reader rd;
	pthread_t rd_thread;
	int wake_rd;

	/* the usbredir connection: fd >= 0 = the cable is in */
	int fd;
	struct usbredirparser *p;
	bool peer_gone;
	uint64_t conn_epoch, conn_gen;
	int64_t off_since_ns, connect_fail_since_ns, next_try_ns;
	struct usbsim_ep0 ep0;
	uint8_t config;
	struct in_req inq[IN_QUEUE_MAX];
	size_t inq_head, inq_len;
	uint64_t connects, disconnects, in_replies, in_bytes, out_bytes, cancels;

	/* control channel */
	int ctl_in, ctl_out;
	char ctl_buf[CTL_LINE_MAX];
	size_t ctl_len;
	bool quit;
	int exit_code;
	int64_t start_ns;
};

static void logmsg(const struct usbsim *s, int level, const char *fmt, ...) MTK_PRINTF(3, 4);
static void logmsg(const struct usbsim *s, int level, const char *fmt, ...)
{
	va_list ap;
	double t = (double)(mtk_now_ns() - s->start_ns) / 1e9;

	if (level > s->verbose)
		return;
	fprintf(stderr, "[%8.3f] usbsim: ", t);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void wake_main(int fd)
{
	char c = 1;

	/* a full pipe already means "wake up" */
	if (write(fd, &c, 1) < 0 && errno != EAGAIN)
		return;
}

/* ---------------------------------------------------------------- reader thread */

/* The request the reader works for was replaced (new connection, watch, quit). */
static bool reader_stale(struct reader *r, const struct sim_watch *w, uint64_t epoch)
{
	bool stale;

	pthread_mutex_lock(&r->mu);
	stale = r->quit || r->w != w || r->epoch != epoch;
	pthread_mutex_unlock(&r->mu);
	return stale;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint8_t *tmp = malloc(RX_MAX);

	if (!tmp)
		return NULL;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->quit && !(r->w && r->want > 0 && r->len == 0))
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->quit)
			break;
		struct sim_watch *w = r->w;
		size_t want = r->want, total = 0;
		uint64_t epoch = r->epoch;

		r->busy = true;
		pthread_mutex_unlock(&r->mu);
		int n = sim_host_read(w, tmp, want, READ_MS);

		if (n > 0) {
			/* sim_host_read is one bulk IN transfer: it ends on a short packet or a
			 * full request. One that timed out after full packets (the watch sends no
			 * zero-length packet) stays open, as the device just NAKs: go on. */
			total = (size_t)n;
			while (total < want && total % USBSIM_BULK_MPS == 0 &&
			       !reader_stale(r, w, epoch)) {
				int m = sim_host_read(w, tmp + total, want - total, READ_MS);

				if (m == -ETIMEDOUT)
					continue;
				if (m <= 0)
					break;
				total += (size_t)m;
			}
		}
		pthread_mutex_lock(&r->mu);
		r->busy = false;
		pthread_cond_broadcast(&r->cv);
		if (total > 0 && epoch == r->epoch && r->w == w) {
			memcpy(r->buf, tmp, total);
			r->len = total;
			r->off = 0;
			wake_main(r->wake_wr);
		}
		if (n == -ENODEV) {
			/* off the bus: the main thread unplugs; don't spin meanwhile */
			struct timespec ts;

			wake_main(r->wake_wr);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&r->cv, &r->mu, &ts);
		}
	}
	pthread_mutex_unlock(&r->mu);
	free(tmp);
	return NULL;
}

/* Detaches the reader from the watch (before the watch is freed); waits for a read in flight. */
static void reader_detach(struct reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->w = NULL;
	r->want = 0;
	r->len = r->off = 0;
	r->epoch++;
	while (r->busy)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

static void reader_attach(struct reader *r, struct sim_watch *w)
{
	pthread_mutex_lock(&r->mu);
	r->w = w;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* ---------------------------------------------------------------- usbredir plumbing */

static int redir_read(void *priv, uint8_t *data, int count)
{
	struct usbsim *s = priv;
	ssize_t n = read(s->fd, data, (size_t)count);

	if (n > 0)
		return (int)n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	s->peer_gone = true;
	return -1;
}

static int redir_write(void *priv, uint8_t *data, int count)
{
	struct usbsim *s = priv;
	ssize_t n = send(s->fd, data, (size_t)count, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	s->peer_gone = true;
	return -1;
}

static void redir_log(void *priv, int level, const char *msg)
{
	struct usbsim *s = priv;

	/* usbredir's error/warning = our 0, info = 1, debug = 2 */
	logmsg(s, level <= usbredirparser_warning ? 0 : level - usbredirparser_warning, "redir: %s",
	       msg);
}

static void send_device(struct usbsim *s)
{
	struct usb_redir_interface_info_header ii;
	struct usb_redir_ep_info_header ei;
	struct usb_redir_device_connect_header dc;

	memset(&ii, 0, sizeof(ii));
	ii.interface_count = 2;
	ii.interface[0] = USBSIM_IF_DATA;
	ii.interface_class[0] = 0x0a;
	ii.interface[1] = USBSIM_IF_COMM;
	ii.interface_class[1] = 0x02;
	ii.interface_subclass[1] = 0x02;
	ii.interface_protocol[1] = 0x01;

	memset(&ei, 0, sizeof(ei));
	memset(ei.type, usb_redir_type_invalid, sizeof(ei.type));
	/* index = ((ep & 0x80) >> 3) | (ep & 0x0f): OUT eps 0-15, IN eps 16-31 */
	ei.type[0] = ei.type[16] = usb_redir_type_control;
	ei.max_packet_size[0] = ei.max_packet_size[16] = USBSIM_EP0_MPS;
	ei.type[1] = usb_redir_type_bulk; /* 0x01 OUT */
	ei.interface[1] = USBSIM_IF_DATA;
	ei.max_packet_size[1] = USBSIM_BULK_MPS;
	ei.type[17] = usb_redir_type_bulk; /* 0x81 IN */
	ei.interface[17] = USBSIM_IF_DATA;
	ei.max_packet_size[17] = USBSIM_BULK_MPS;
	ei.type[19] = usb_redir_type_interrupt; /* 0x83 IN */
	ei.interface[19] = USBSIM_IF_COMM;
	ei.interval[19] = 1; /* an interrupt ep with interval 0 gets the device rejected */
	ei.max_packet_size[19] = USBSIM_NOTIFY_MPS;

	memset(&dc, 0, sizeof(dc));
	dc.speed = usb_redir_speed_full;
	dc.device_class = 0x02;
	dc.vendor_id = USBSIM_VID;
	dc.product_id = USBSIM_PID;
	dc.device_version_bcd = USBSIM_BCD_DEVICE;

	/* the order matters: QEMU rejects a device_connect without interface info */
	usbredirparser_send_interface_info(s->p, &ii);
	usbredirparser_send_ep_info(s->p, &ei);
	usbredirparser_send_device_connect(s->p, &dc);
	logmsg(s, 1, "sent interface/endpoint info and device_connect 0e8d:0003 (full speed)");
}

static void cb_hello(void *priv, struct usb_redir_hello_header *h)
{
	struct usbsim *s = priv;

	logmsg(s, 1, "QEMU says hello (%s)", h->version);
	send_device(s);
}

static void cb_reset(void *priv)
{
	struct usbsim *s = priv;

	/* A bus reset re-initialises the ROM's USB function, not the ROM's command state. */
	logmsg(s, 1, "port reset");
	usbsim_ep0_reset(&s->ep0);
	s->config = 0;
}

static void cb_set_configuration(void *priv, uint64_t id,
				 struct usb_redir_set_configuration_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_configuration_status_header st = {usb_redir_success, h->configuration};

	if (h->configuration > 1)
		st.status = usb_redir_stall;
	else
		s->config = h->configuration;
	logmsg(s, 1, "SET_CONFIGURATION %u", h->configuration);
	usbredirparser_send_configuration_status(s->p, id, &st);
}

static void cb_get_configuration(void *priv, uint64_t id)
{
	struct usbsim *s = priv;
	struct usb_redir_configuration_status_header st = {usb_redir_success, s->config};

	usbredirparser_send_configuration_status(s->p, id, &st);
}

static void cb_set_alt_setting(void *priv, uint64_t id, struct usb_redir_set_alt_setting_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_alt_setting_status_header st = {usb_redir_success, h->interface, h->alt};

	if (h->interface > USBSIM_IF_COMM || h->alt != 0)
		st.status = usb_redir_stall;
	usbredirparser_send_alt_setting_status(s->p, id, &st);
}

static void cb_get_alt_setting(void *priv, uint64_t id, struct usb_redir_get_alt_setting_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_alt_setting_status_header st = {usb_redir_success, h->interface, 0};

	if (h->interface > USBSIM_IF_COMM)
		st.status = usb_redir_stall;
	usbredirparser_send_alt_setting_status(s->p, id, &st);
}

static void cb_start_iso(void *priv, uint64_t id, struct usb_redir_start_iso_stream_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_iso_stream_status_header st = {usb_redir_stall, h->endpoint};

	usbredirparser_send_iso_stream_status(s->p, id, &st);
}

static void cb_stop_iso(void *priv, uint64_t id, struct usb_redir_stop_iso_stream_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_iso_stream_status_header st = {usb_redir_stall, h->endpoint};

	usbredirparser_send_iso_stream_status(s->p, id, &st);
}

static void cb_start_interrupt(void *priv, uint64_t id,
			       struct usb_redir_start_interrupt_receiving_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_interrupt_receiving_status_header st = {usb_redir_success, h->endpoint};

	/* The ROM never sends a notification: accept and stay silent. */
	if (h->endpoint != USBSIM_EP_NOTIFY)
		st.status = usb_redir_stall;
	logmsg(s, 2, "start interrupt receiving ep %02x", h->endpoint);
	usbredirparser_send_interrupt_receiving_status(s->p, id, &st);
}

static void cb_stop_interrupt(void *priv, uint64_t id,
			      struct usb_redir_stop_interrupt_receiving_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_interrupt_receiving_status_header st = {usb_redir_success, h->endpoint};

	logmsg(s, 2, "stop interrupt receiving ep %02x", h->endpoint);
	usbredirparser_send_interrupt_receiving_status(s->p, id, &st);
}

static void cb_alloc_streams(void *priv, uint64_t id, struct usb_redir_alloc_bulk_streams_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_bulk_streams_status_header st;

	memset(&st, 0, sizeof(st));
	st.endpoints = h->endpoints;
	st.status = usb_redir_stall;
	usbredirparser_send_bulk_streams_status(s->p, id, &st);
}

static void cb_free_streams(void *priv, uint64_t id, struct usb_redir_free_bulk_streams_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_bulk_streams_status_header st;

	memset(&st, 0, sizeof(st));
	st.endpoints = h->endpoints;
	st.status = usb_redir_stall;
	usbredirparser_send_bulk_streams_status(s->p, id, &st);
}

static void cb_start_bulk_receiving(void *priv, uint64_t id,
				    struct usb_redir_start_bulk_receiving_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_bulk_receiving_status_header st = {h->stream_id, h->endpoint,
							    usb_redir_stall};

	usbredirparser_send_bulk_receiving_status(s->p, id, &st);
}

static void cb_stop_bulk_receiving(void *priv, uint64_t id,
				   struct usb_redir_stop_bulk_receiving_header *h)
{
	struct usbsim *s = priv;
	struct usb_redir_bulk_receiving_status_header st = {h->stream_id, h->endpoint,
							    usb_redir_success};

	usbredirparser_send_bulk_receiving_status(s->p, id, &st);
}

static void cb_control(void *priv, uint64_t id, struct usb_redir_control_packet_header *h,
		       uint8_t *data, int data_len)
{
	struct usbsim *s = priv;
	struct usb_redir_control_packet_header reply = *h;
	struct usbsim_setup st = {h->requesttype, h->request, h->value, h->index, h->length};
	uint8_t in[256];
	bool dir_in = h->requesttype & 0x80;
	int n = usbsim_ep0_request(&s->ep0, &st, data, data_len > 0 ? (size_t)data_len : 0, in,
				   sizeof(in));

	logmsg(s, 2, "control %02x %02x value %04x index %04x length %u: %s -> %s", h->requesttype,
	       h->request, h->value, h->index, h->length, usbsim_request_name(&st),
	       n < 0 ? "STALL" : "ok");
	if (n >= 0 && s->w && h->requesttype == 0x21) {
		/* the CDC line state reaches the watch (dtr=required waits for both) */
		const uint8_t *lc = s->ep0.line_coding;

		if (h->request == 0x20)
			sim_host_set_line_coding(s->w,
						 (uint32_t)lc[0] | (uint32_t)lc[1] << 8 |
						     (uint32_t)lc[2] << 16 | (uint32_t)lc[3] << 24,
						 lc[4], lc[5], lc[6]);
		else if (h->request == 0x22)
			sim_host_set_control_line(s->w, h->value & 1, h->value & 2);
	}
	if (n < 0) {
		reply.status = usb_redir_stall;
		reply.length = 0;
		usbredirparser_send_control_packet(s->p, id, &reply, NULL, 0);
	} else if (dir_in) {
		reply.status = usb_redir_success;
		reply.length = (uint16_t)n;
		usbredirparser_send_control_packet(s->p, id, &reply, in, n);
	} else {
		reply.status = usb_redir_success;
		reply.length = (uint16_t)(data_len > 0 ? data_len : 0);
		usbredirparser_send_control_packet(s->p, id, &reply, NULL, 0);
	}
	if (data)
		usbredirparser_free_packet_data(s->p, data);
}

static void send_bulk_in(struct usbsim *s, uint64_t id, uint8_t status, const uint8_t *data,
			 uint32_t len)
{
	struct usb_redir_bulk_packet_header h;

	memset(&h, 0, sizeof(h));
	h.endpoint = USBSIM_EP_BULK_IN;
	h.status = status;
	h.length = (uint16_t)(len & 0xffff);
	h.length_high = (uint16_t)(len >> 16);
	usbredirparser_send_bulk_packet(s->p, id, &h, (uint8_t *)data, (int)len);
}

static void cb_bulk(void *priv, uint64_t id, struct usb_redir_bulk_packet_header *h, uint8_t *data,
		    int data_len)
{
	struct usbsim *s = priv;
	struct usb_redir_bulk_packet_header reply = *h;
	uint32_t len = h->length | (uint32_t)h->length_high << 16;

	if (h->endpoint == USBSIM_EP_BULK_IN) {
		if (s->inq_len == IN_QUEUE_MAX) {
			logmsg(s, 0, "more than %d bulk IN requests open: failing one",
			       IN_QUEUE_MAX);
			send_bulk_in(s, id, usb_redir_ioerror, NULL, 0);
		} else if (len == 0) {
			send_bulk_in(s, id, usb_redir_success, NULL, 0);
		} else {
			s->inq[(s->inq_head + s->inq_len) % IN_QUEUE_MAX] =
			    (struct in_req){id, len};
			s->inq_len++;
			logmsg(s, 3, "bulk IN request %llu, %u bytes (%zu open)",
			       (unsigned long long)id, len, s->inq_len);
		}
	} else if (h->endpoint == USBSIM_EP_BULK_OUT) {
		int n =
		    data_len > 0 ? sim_host_write(s->w, data, (size_t)data_len, OUT_TIMEOUT) : 0;

		reply.length = reply.length_high = 0;
		if (n >= 0) {
			reply.status = usb_redir_success;
			reply.length = (uint16_t)(n & 0xffff);
			reply.length_high = (uint16_t)((unsigned)n >> 16);
			s->out_bytes += (uint64_t)n;
		} else {
			reply.status = n == -ETIMEDOUT ? usb_redir_timeout : usb_redir_ioerror;
			logmsg(s, 1, "bulk OUT of %d bytes failed: %s", data_len, mtk_strerror(n));
		}
		logmsg(s, 3, "bulk OUT %d bytes", data_len);
		usbredirparser_send_bulk_packet(s->p, id, &reply, NULL, 0);
	} else {
		reply.status = usb_redir_stall;
		reply.length = reply.length_high = 0;
		usbredirparser_send_bulk_packet(s->p, id, &reply, NULL, 0);
	}
	if (data)
		usbredirparser_free_packet_data(s->p, data);
}

static void cb_interrupt(void *priv, uint64_t id, struct usb_redir_interrupt_packet_header *h,
			 uint8_t *data, int data_len)
{
	struct usbsim *s = priv;

	/* no interrupt OUT endpoint */
	if (data)
		usbredirparser_free_packet_data(s->p, data);
}

static void cb_iso(void *priv, uint64_t id, struct usb_redir_iso_packet_header *h, uint8_t *data,
		   int data_len)
{
	struct usbsim *s = priv;

	if (data)
		usbredirparser_free_packet_data(s->p, data);
}

static void cb_buffered_bulk(void *priv, uint64_t id,
			     struct usb_redir_buffered_bulk_packet_header *h, uint8_t *data,
			     int data_len)
{
	struct usbsim *s = priv;

	if (data)
		usbredirparser_free_packet_data(s->p, data);
}

static void cb_cancel(void *priv, uint64_t id)
{
	struct usbsim *s = priv;

	/* Only bulk IN requests are ever held open; everything else was answered already. */
	for (size_t i = 0; i < s->inq_len; i++) {
		size_t k = (s->inq_head + i) % IN_QUEUE_MAX;

		if (s->inq[k].id != id)
			continue;
		for (size_t j = i; j + 1 < s->inq_len; j++)
			s->inq[(s->inq_head + j) % IN_QUEUE_MAX] =
			    s->inq[(s->inq_head + j + 1) % IN_QUEUE_MAX];
		s->inq_len--;
		s->cancels++;
		send_bulk_in(s, id, usb_redir_cancelled, NULL, 0);
		logmsg(s, 3, "bulk IN request %llu cancelled", (unsigned long long)id);
		return;
	}
	logmsg(s, 3, "cancel for %llu: already answered", (unsigned long long)id);
}

static void cb_ignore_void(void *priv)
{
}

/* Answers open bulk IN requests from the reader's data and tells the reader what to fetch. */
static void serve_bulk_in(struct usbsim *s)
{
	struct reader *r = &s->rd;
	size_t want = 0;
	bool consumed = false;

	pthread_mutex_lock(&r->mu);
	while (s->p && r->len > r->off && s->inq_len > 0 && r->epoch == s->conn_epoch) {
		struct in_req q = s->inq[s->inq_head];
		size_t n = r->len - r->off;

		if (n > q.len)
			n = q.len;
		send_bulk_in(s, q.id, usb_redir_success, r->buf + r->off, (uint32_t)n);
		s->in_replies++;
		s->in_bytes += n;
		r->off += n;
		s->inq_head = (s->inq_head + 1) % IN_QUEUE_MAX;
		s->inq_len--;
		if (r->off == r->len) {
			r->len = r->off = 0;
			consumed = true;
		}
	}
	if (s->p && s->inq_len > 0 && r->len == 0) {
		want = s->inq[s->inq_head].len;
		if (want > RX_MAX)
			want = RX_MAX;
	}
	if (consumed || want != r->want || r->epoch != s->conn_epoch) {
		r->want = want;
		r->epoch = s->conn_epoch;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
}

static void flush_out(struct usbsim *s, int ms)
{
	int64_t end = mtk_now_ns() + (int64_t)ms * 1000000;

	while (s->p && !s->peer_gone && usbredirparser_has_data_to_write(s->p)) {
		struct pollfd pfd = {s->fd, POLLOUT, 0};
		int64_t left = (end - mtk_now_ns()) / 1000000;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		if (usbredirparser_do_write(s->p) < 0)
			break;
	}
}

/* Pulls the cable: open IN requests fail as cancelled, then the socket closes. */
static void cable_out(struct usbsim *s, const char *why)
{
	if (s->fd < 0)
		return;
	if (s->p && !s->peer_gone) {
		while (s->inq_len > 0) {
			send_bulk_in(s, s->inq[s->inq_head].id, usb_redir_cancelled, NULL, 0);
			s->inq_head = (s->inq_head + 1) % IN_QUEUE_MAX;
			s->inq_len--;
		}
		flush_out(s, FLUSH_MS);
	}
	close(s->fd);
	s->fd = -1;
	if (s->p)
		usbredirparser_destroy(s->p);
	s->p = NULL;
	s->inq_head = s->inq_len = 0;
	s->disconnects++;
	s->conn_epoch++;
	s->off_since_ns = mtk_now_ns();
	pthread_mutex_lock(&s->rd.mu);
	s->rd.want = 0;
	s->rd.len = s->rd.off = 0;
	s->rd.epoch = s->conn_epoch;
	pthread_mutex_unlock(&s->rd.mu);
	logmsg(s, 0, "cable out (%s)", why);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Plugs the cable in: connects to QEMU and starts the usbredir handshake. */
static int cable_in(struct usbsim *s)
{
	uint32_t caps[USB_REDIR_CAPS_SIZE] = {0};
	int fd = connect_unix(s->sock_path);
	int64_t now = mtk_now_ns();

	if (fd < 0) {
		if (!s->connect_fail_since_ns)
			s->connect_fail_since_ns = now;
		if (now - s->connect_fail_since_ns > (int64_t)s->wait_socket_ms * 1000000) {
			logmsg(s, 0,
			       "cannot connect to %s: %s (is QEMU running with -chardev "
			       "socket,path=%s,server=on,wait=off?)",
			       s->sock_path, strerror(-fd), s->sock_path);
			return fd;
		}
		s->next_try_ns = now + 50 * 1000000;
		return 0;
	}
	s->connect_fail_since_ns = 0;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->fd = fd;
	s->peer_gone = false;
	s->p = usbredirparser_create();
	if (!s->p) {
		close(fd);
		s->fd = -1;
		return -ENOMEM;
	}
	s->p->priv = s;
	s->p->log_func = redir_log;
	s->p->read_func = redir_read;
	s->p->write_func = redir_write;
	s->p->hello_func = cb_hello;
	s->p->reset_func = cb_reset;
	s->p->set_configuration_func = cb_set_configuration;
	s->p->get_configuration_func = cb_get_configuration;
	s->p->set_alt_setting_func = cb_set_alt_setting;
	s->p->get_alt_setting_func = cb_get_alt_setting;
	s->p->start_iso_stream_func = cb_start_iso;
	s->p->stop_iso_stream_func = cb_stop_iso;
	s->p->start_interrupt_receiving_func = cb_start_interrupt;
	s->p->stop_interrupt_receiving_func = cb_stop_interrupt;
	s->p->alloc_bulk_streams_func = cb_alloc_streams;
	s->p->free_bulk_streams_func = cb_free_streams;
	s->p->cancel_data_packet_func = cb_cancel;
	s->p->control_packet_func = cb_control;
	s->p->bulk_packet_func = cb_bulk;
	s->p->iso_packet_func = cb_iso;
	s->p->interrupt_packet_func = cb_interrupt;
	s->p->device_disconnect_ack_func = cb_ignore_void;
	s->p->start_bulk_receiving_func = cb_start_bulk_receiving;
	s->p->stop_bulk_receiving_func = cb_stop_bulk_receiving;
	s->p->buffered_bulk_packet_func = cb_buffered_bulk;
	usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_device_disconnect_ack);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
	usbredirparser_init(s->p, "mtkbak-usbsim " MTKBAK_VERSION, caps, USB_REDIR_CAPS_SIZE,
			    usbredirparser_fl_usb_host);
	usbsim_ep0_reset(&s->ep0);
	s->config = 0;
	s->conn_gen = sim_generation(s->w);
	s->connects++;
	logmsg(s, 0, "cable in (enumeration %llu of this watch)", (unsigned long long)s->conn_gen);
	return 0;
}

/* ---------------------------------------------------------------- the watch */

static int watch_create(struct usbsim *s, const struct sim_opts *o, bool unplugged)
{
	struct sim_watch *w = sim_new(o, s->image, s->image_len);

	if (!w)
		return -ENOMEM;
	if (unplugged)
		sim_unplug(w);
	s->w = w;
	reader_attach(&s->rd, w);
	return 0;
}

static void watch_destroy(struct usbsim *s)
{
	if (!s->w)
		return;
	sim_unplug(s->w);
	cable_out(s, "watch replaced");
	reader_detach(&s->rd);
	sim_free(s->w);
	s->w = NULL;
}

/* ---------------------------------------------------------------- control channel */

static void ctl_reply(struct usbsim *s, const char *fmt, ...) MTK_PRINTF(2, 3);
static void ctl_reply(struct usbsim *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t k = write(s->ctl_out, line + off, (size_t)(n - off));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct pollfd pfd = {s->ctl_out, POLLOUT, 0};

			if (poll(&pfd, 1, 1000) <= 0)
				return;
			continue;
		}
		if (k <= 0)
			return;
		off += (int)k;
	}
}

static void ctl_status(struct usbsim *s)
{
	ctl_reply(s,
		  "ok present=%d connected=%d generation=%llu sent=%llu connects=%llu "
		  "disconnects=%llu in_open=%zu in_bytes=%llu out_bytes=%llu cancels=%llu "
		  "line_state=%u",
		  s->w && sim_present(s->w), s->fd >= 0,
		  (unsigned long long)(s->w ? sim_generation(s->w) : 0),
		  (unsigned long long)(s->w ? sim_bytes_sent(s->w) : 0),
		  (unsigned long long)s->connects, (unsigned long long)s->disconnects, s->inq_len,
		  (unsigned long long)s->in_bytes, (unsigned long long)s->out_bytes,
		  (unsigned long long)s->cancels, s->ep0.line_state);
}

static void ctl_new(struct usbsim *s, const char *args, bool unplugged)
{
	struct sim_opts o;
	char err[256] = "";
	int rc;

	if (*args) {
		sim_opts_default(&o);
		rc = sim_opts_parse(args, &o, err, sizeof(err));
		if (rc < 0) {
			ctl_reply(s, "err bad sim options '%s': %s", args, err);
			return;
		}
	} else {
		o = s->base_opts;
	}
	watch_destroy(s);
	rc = watch_create(s, &o, unplugged);
	if (rc < 0) {
		ctl_reply(s, "err cannot create the watch: %s", mtk_strerror(rc));
		return;
	}
	logmsg(s, 0, "new watch (%s)%s", *args ? args : s->base_opts_text,
	       unplugged ? ", cable out" : "");
	ctl_reply(s, "ok");
}

static void ctl_command(struct usbsim *s, char *line)
{
	char *args;

	while (*line == ' ' || *line == '\t')
		line++;
	args = line + strcspn(line, " \t");
	if (*args)
		*args++ = 0;
	while (*args == ' ' || *args == '\t')
		args++;
	if (!*line)
		return;
	logmsg(s, 1, "control: %s %s", line, args);
	if (!strcmp(line, "plug")) {
		if (s->w)
			sim_plug(s->w);
		ctl_reply(s, "ok");
	} else if (!strcmp(line, "unplug")) {
		if (s->w)
			sim_unplug(s->w);
		cable_out(s, "unplug command");
		ctl_reply(s, "ok");
	} else if (!strcmp(line, "new")) {
		ctl_new(s, args, false);
	} else if (!strcmp(line, "new-unplugged")) {
		ctl_new(s, args, true);
	} else if (!strcmp(line, "status")) {
		ctl_status(s);
	} else if (!strcmp(line, "ping")) {
		ctl_reply(s, "ok pong");
	} else if (!strcmp(line, "quit")) {
		ctl_reply(s, "ok");
		s->quit = true;
	} else {
		ctl_reply(s,
			  "err unknown command '%s' (plug, unplug, new [OPTS], "
			  "new-unplugged [OPTS], status, ping, quit)",
			  line);
	}
}

/* Reads what the control channel has; 0, or -1 on end of file. */
static int ctl_read(struct usbsim *s)
{
	char buf[256];
	ssize_t n = read(s->ctl_in, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r' || c == '\n') {
			s->ctl_buf[s->ctl_len] = 0;
			s->ctl_len = 0;
			ctl_command(s, s->ctl_buf);
		} else if (s->ctl_len + 1 < sizeof(s->ctl_buf)) {
			s->ctl_buf[s->ctl_len++] = c;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- main loop */

static int run(struct usbsim *s)
{
	while (!s->quit) {
		struct pollfd pfd[3];
		int nfd = 0, ictl = -1, isock = -1;
		int64_t now = mtk_now_ns();
		bool present = s->w && sim_present(s->w);

		/* mirror the watch's presence on the bus onto the socket */
		if (s->fd >= 0 && !present)
			cable_out(s, "the watch left the bus");
		else if (s->fd >= 0 && sim_generation(s->w) != s->conn_gen)
			cable_out(s, "the watch re-enumerates");
		if (s->fd < 0 && present &&
		    now - s->off_since_ns >= (int64_t)s->min_off_ms * 1000000 &&
		    now >= s->next_try_ns) {
			int rc = cable_in(s);

			if (rc < 0)
				return 1;
		}
		serve_bulk_in(s);

		pfd[nfd] = (struct pollfd){s->wake_rd, POLLIN, 0};
		nfd++;
		if (s->ctl_in >= 0) {
			ictl = nfd;
			pfd[nfd++] = (struct pollfd){s->ctl_in, POLLIN, 0};
		}
		if (s->fd >= 0) {
			isock = nfd;
			pfd[nfd++] = (struct pollfd){
			    s->fd,
			    (short)(POLLIN |
				    (usbredirparser_has_data_to_write(s->p) ? POLLOUT : 0)),
			    0};
		}
		if (poll(pfd, (nfds_t)nfd, POLL_MS) < 0 && errno != EINTR) {
			logmsg(s, 0, "poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			char drain[64];

			while (read(s->wake_rd, drain, sizeof(drain)) > 0)
				;
		}
		if (ictl >= 0 && (pfd[ictl].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (ctl_read(s) < 0) {
				logmsg(s, 1, "control channel closed: exiting");
				s->quit = true;
			}
		}
		if (isock >= 0 && s->fd >= 0 && pfd[isock].revents) {
			if (pfd[isock].revents & (POLLIN | POLLHUP | POLLERR))
				usbredirparser_do_read(s->p);
			serve_bulk_in(s);
			if (!s->peer_gone && usbredirparser_has_data_to_write(s->p))
				usbredirparser_do_write(s->p);
			if (s->peer_gone) {
				cable_out(s, "QEMU closed the connection");
				/* QEMU went away or refused the device: try again like a replug */
			}
		} else if (s->fd >= 0) {
			serve_bulk_in(s);
			if (usbredirparser_has_data_to_write(s->p))
				usbredirparser_do_write(s->p);
		}
	}
	return s->exit_code;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mtkbak-usbsim --socket PATH [options] IMAGE|demo\n"
	    "\n"
	    "Serves the simulated watch (the model behind --port sim:) as a USB device\n"
	    "0e8d:0003 to a QEMU guest through usbredir. QEMU must listen on PATH:\n"
	    "  -chardev socket,id=ur0,path=PATH,server=on,wait=off\n"
	    "  -device qemu-xhci,id=xhci -device usb-redir,chardev=ur0,bus=xhci.0\n"
	    "Connecting is plugging the watch in; the watch leaving the bus (unplug command,\n"
	    "disconnect=N/window=MS faults) closes the socket, and coming back reconnects.\n"
	    "\n"
	    "options:\n"
	    "  -s, --socket PATH      QEMU's usb-redir chardev socket\n"
	    "  -o, --opts OPTS        simulator options, as in --port sim:IMAGE,OPTS\n"
	    "                         (e.g. link=fs,disconnect=6M,replug=500)\n"
	    "  -c, --control PATH     line commands from a unix socket (e.g. a QEMU serial\n"
	    "                         chardev) or '-' for stdin/stdout: plug, unplug,\n"
	    "                         new [OPTS], new-unplugged [OPTS], status, ping, quit\n"
	    "  -u, --unplugged        start with the cable out (plug it with 'plug')\n"
	    "      --wait-socket MS   keep retrying to connect this long (default 20000)\n"
	    "      --min-off MS       a pulled cable stays out at least this long (default 300)\n"
	    "      --save-image FILE  write the flash image being served to FILE (without\n"
	    "                         --socket: write it and exit)\n"
	    "  -v, --verbose          more log on stderr (-vv requests, -vvv every transfer)\n"
	    "  -h, --help             this text\n"
	    "IMAGE is a raw flash image (64 KiB..16 MiB, power of two); 'demo' generates\n"
	    "the demo firmware of sim:demo (size=4M|8M|16M).\n");
}

static int load_image(struct usbsim *s)
{
	char err[256] = "";
	int rc;

	if (!strcmp(s->image_path, "demo")) {
		rc = fwgen_demo(s->base_opts.image_size, &s->image, &s->image_len);
		if (rc < 0) {
			fprintf(stderr, "mtkbak-usbsim: cannot generate the demo image: %s\n",
				mtk_strerror(rc));
			return rc;
		}
		return 0;
	}
	rc = read_whole_file(s->image_path, &s->image, &s->image_len, 16u * 1024u * 1024u);
	if (rc < 0) {
		fprintf(stderr, "mtkbak-usbsim: cannot read %s: %s\n", s->image_path,
			mtk_strerror(rc));
		return rc;
	}
	rc = sim_image_size_check(s->image_len, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "mtkbak-usbsim: %s: %s\n", s->image_path, err);
		return rc;
	}
	return 0;
}

static int parse_ms(const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > 3600000)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_WAIT = 1000, OPT_MINOFF, OPT_SAVE };
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"opts", required_argument, NULL, 'o'},
	    {"control", required_argument, NULL, 'c'},
	    {"unplugged", no_argument, NULL, 'u'},
	    {"wait-socket", required_argument, NULL, OPT_WAIT},
	    {"min-off", required_argument, NULL, OPT_MINOFF},
	    {"save-image", required_argument, NULL, OPT_SAVE},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct usbsim *s = calloc(1, sizeof(*s));
	const char *opts_text = "", *save_path = NULL;
	bool unplugged = false;
	char err[256] = "";
	int c, rc, pipefd[2];
	struct sigaction sa;

	if (!s)
		return MTK_EXIT_SOFTWARE;
	s->start_ns = mtk_now_ns();
	s->wait_socket_ms = 20000;
	s->min_off_ms = 300;
	s->fd = s->ctl_in = s->ctl_out = -1;
	while ((c = getopt_long(argc, argv, "s:o:c:uvh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			s->sock_path = optarg;
			break;
		case 'o':
			opts_text = optarg;
			break;
		case 'c':
			s->ctl_path = optarg;
			break;
		case 'u':
			unplugged = true;
			break;
		case OPT_WAIT:
		case OPT_MINOFF:
			if (parse_ms(optarg, c == OPT_WAIT ? &s->wait_socket_ms : &s->min_off_ms) <
			    0) {
				fprintf(stderr, "mtkbak-usbsim: bad milliseconds '%s'\n", optarg);
				return MTK_EXIT_USAGE;
			}
			break;
		case OPT_SAVE:
			save_path = optarg;
			break;
		case 'v':
			s->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (!s->sock_path && !save_path)) {
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	s->image_path = argv[optind];
	sim_opts_default(&s->base_opts);
	if (sim_opts_parse(opts_text, &s->base_opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "mtkbak-usbsim: bad simulator options '%s': %s\n", opts_text, err);
		return MTK_EXIT_USAGE;
	}
	snprintf(s->base_opts_text, sizeof(s->base_opts_text), "%s",
		 *opts_text ? opts_text : "defaults");
	rc = load_image(s);
	if (rc < 0)
		return rc == -ENOENT ? MTK_EXIT_NOINPUT : MTK_EXIT_DATAERR;
	if (save_path) {
		rc = atomic_write_file(save_path, s->image, s->image_len, true);
		if (rc < 0) {
			fprintf(stderr, "mtkbak-usbsim: cannot write %s: %s\n", save_path,
				mtk_strerror(rc));
			return MTK_EXIT_CANTCREAT;
		}
		if (!s->sock_path)
			return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (pipe(pipefd) < 0)
		return MTK_EXIT_SOFTWARE;
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	s->wake_rd = pipefd[0];
	s->rd.wake_wr = pipefd[1];
	s->rd.buf = malloc(RX_MAX);
	if (!s->rd.buf)
		return MTK_EXIT_SOFTWARE;
	pthread_mutex_init(&s->rd.mu, NULL);
	pthread_cond_init(&s->rd.cv, NULL);
	if (pthread_create(&s->rd_thread, NULL, reader_main, &s->rd) != 0)
		return MTK_EXIT_SOFTWARE;

	if (s->ctl_path && !strcmp(s->ctl_path, "-")) {
		s->ctl_in = STDIN_FILENO;
		s->ctl_out = STDOUT_FILENO;
	} else if (s->ctl_path) {
		int64_t until = mtk_now_ns() + (int64_t)s->wait_socket_ms * 1000000;
		int fd;

		while ((fd = connect_unix(s->ctl_path)) < 0 && mtk_now_ns() < until)
			usleep(50000);
		if (fd < 0) {
			fprintf(stderr,
				"mtkbak-usbsim: cannot connect to the control socket %s: %s\n",
				s->ctl_path, strerror(-fd));
			return MTK_EXIT_UNAVAILABLE;
		}
		s->ctl_in = s->ctl_out = fd;
	}
	if (s->ctl_in >= 0)
		fcntl(s->ctl_in, F_SETFL, fcntl(s->ctl_in, F_GETFL) | O_NONBLOCK);

	rc = watch_create(s, &s->base_opts, unplugged);
	if (rc < 0) {
		fprintf(stderr, "mtkbak-usbsim: cannot create the simulated watch: %s\n",
			mtk_strerror(rc));
		return MTK_EXIT_SOFTWARE;
	}
	logmsg(s, 0, "serving %s (%zu bytes, %s) on %s%s", s->image_path, s->image_len,
	       s->base_opts_text, s->sock_path, unplugged ? ", cable out" : "");
	s->off_since_ns = mtk_now_ns() - (int64_t)s->min_off_ms * 1000000;
	rc = run(s);

	if (s->w)
		sim_unplug(s->w);
	cable_out(s, "exiting");
	reader_detach(&s->rd);
	pthread_mutex_lock(&s->rd.mu);
	s->rd.quit = true;
	pthread_cond_broadcast(&s->rd.cv);
	pthread_mutex_unlock(&s->rd.mu);
	pthread_join(s->rd_thread, NULL);
	if (s->w)
		sim_free(s->w);
	logmsg(s, 0, "done: %llu connects, %llu disconnects, %llu bytes in, %llu bytes out",
	       (unsigned long long)s->connects, (unsigned long long)s->disconnects,
	       (unsigned long long)s->in_bytes, (unsigned long long)s->out_bytes);
	free(s->rd.buf);
	free(s->image);
	free(s);
	return rc;
}
