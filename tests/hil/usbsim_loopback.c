/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hil/usbsim-loopback: checks mtkbak-usbsim without QEMU. This program plays QEMU's side of
 * usbredir (a listening unix socket and a usbredirparser without the usb_host flag), starts
 * mtkbak-usbsim against it and checks, on the wire:
 *   - interface_info / ep_info / device_connect as QEMU needs them (0e8d:0003, full speed);
 *   - every descriptor byte for byte (doc/brom-protocol.md section 1.2), string descriptors,
 *     STALL of the device qualifier, the CDC class requests (line coding kept, control line state);
 *   - a bulk IN request is held while the watch has nothing to say, and a cancel is answered;
 *   - the boot ROM handshake and GET_ME_ID through bulk OUT/IN, a 4 KiB READ32 spread over
 *     several IN requests;
 *   - unplug/plug commands close and re-open the socket, a disconnect=N,replug=MS fault of the
 *     simulator does the same by itself;
 *   - transfers end like the real ROM's: each field is its own IN completion, 64 bytes of
 *     data are not ended by a zero-length packet (the status that follows ends them), and
 *     dtr=required ignores the host until SET_LINE_CODING and DTR.
 * usage: usbsim_loopback PATH-TO-mtkbak-usbsim */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <usbredirparser.h>

#include "mtkbak/clock.h"

#define MAX_REPLIES 64
#define MEID	    "00112233445566778899aabbccddeeff"

struct reply {
	uint64_t id;
	uint8_t status;
	int len;
	uint8_t data[8192];
};

struct peer {
	int lfd, fd;
	struct usbredirparser *p;
	bool eof;
	bool hello, have_ii, have_ei, have_dc;
	struct usb_redir_interface_info_header ii;
	struct usb_redir_ep_info_header ei;
	struct usb_redir_device_connect_header dc;
	struct reply replies[MAX_REPLIES];
	int nreplies;
	uint64_t next_id;
};

struct child {
	pid_t pid;
	int ctl_w, ctl_r;
};

static int failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

/* ---------------------------------------------------------------- QEMU's side */

static int p_read(void *priv, uint8_t *data, int count)
{
	struct peer *q = priv;
	ssize_t n = read(q->fd, data, (size_t)count);

	if (n > 0)
		return (int)n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	q->eof = true;
	return -1;
}

static int p_write(void *priv, uint8_t *data, int count)
{
	struct peer *q = priv;
	ssize_t n = send(q->fd, data, (size_t)count, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	q->eof = true;
	return -1;
}

static void p_log(void *priv, int level, const char *msg)
{
	if (level <= usbredirparser_warning)
		fprintf(stderr, "loopback: usbredir: %s\n", msg);
}

static void p_hello(void *priv, struct usb_redir_hello_header *h)
{
	((struct peer *)priv)->hello = true;
}

static void p_ii(void *priv, struct usb_redir_interface_info_header *h)
{
	struct peer *q = priv;

	q->ii = *h;
	q->have_ii = true;
}

static void p_ei(void *priv, struct usb_redir_ep_info_header *h)
{
	struct peer *q = priv;

	q->ei = *h;
	q->have_ei = true;
}

static void p_dc(void *priv, struct usb_redir_device_connect_header *h)
{
	struct peer *q = priv;

	q->dc = *h;
	q->have_dc = true;
}

static void p_ddc(void *priv)
{
	((struct peer *)priv)->have_dc = false;
}

static void add_reply(struct peer *q, uint64_t id, uint8_t status, const uint8_t *data, int len)
{
	struct reply *r;

	if (q->nreplies == MAX_REPLIES)
		memmove(q->replies, q->replies + 1, sizeof(q->replies[0]) * --q->nreplies);
	r = &q->replies[q->nreplies++];
	r->id = id;
	r->status = status;
	r->len = len;
	if (len > (int)sizeof(r->data))
		r->len = len = (int)sizeof(r->data);
	if (data && len > 0)
		memcpy(r->data, data, (size_t)len);
}

static void p_control(void *priv, uint64_t id, struct usb_redir_control_packet_header *h,
		      uint8_t *data, int len)
{
	struct peer *q = priv;

	add_reply(q, id, h->status, data, (h->endpoint & 0x80) ? len : h->length);
	if (data)
		usbredirparser_free_packet_data(q->p, data);
}

static void p_bulk(void *priv, uint64_t id, struct usb_redir_bulk_packet_header *h, uint8_t *data,
		   int len)
{
	struct peer *q = priv;
	int n = h->length | h->length_high << 16;

	add_reply(q, id, h->status, data, (h->endpoint & 0x80) ? len : n);
	if (data)
		usbredirparser_free_packet_data(q->p, data);
}

static void p_config_status(void *priv, uint64_t id,
			    struct usb_redir_configuration_status_header *h)
{
	add_reply(priv, id, h->status, &h->configuration, 1);
}

static void p_int_status(void *priv, uint64_t id,
			 struct usb_redir_interrupt_receiving_status_header *h)
{
	add_reply(priv, id, h->status, &h->endpoint, 1);
}

static void pump(struct peer *q, int ms)
{
	int64_t end = mtk_now_ms() + ms;

	while (!q->eof && q->fd >= 0) {
		struct pollfd pfd = {q->fd, POLLIN, 0};
		int64_t left = end - mtk_now_ms();

		if (usbredirparser_has_data_to_write(q->p))
			pfd.events |= POLLOUT;
		if (left < 0)
			left = 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			return;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			usbredirparser_do_read(q->p);
		if (!q->eof && usbredirparser_has_data_to_write(q->p))
			usbredirparser_do_write(q->p);
		if (left == 0)
			return;
	}
}

static const struct reply *find_reply(struct peer *q, uint64_t id)
{
	for (int i = 0; i < q->nreplies; i++)
		if (q->replies[i].id == id)
			return &q->replies[i];
	return NULL;
}

static const struct reply *wait_reply(struct peer *q, uint64_t id, int ms)
{
	int64_t end = mtk_now_ms() + ms;
	const struct reply *r;

	while (!(r = find_reply(q, id)) && mtk_now_ms() < end && !q->eof)
		pump(q, 20);
	return r;
}

/* Accepts usbsim's connection and waits for the device announcement. */
static bool peer_accept(struct peer *q, int ms)
{
	struct pollfd pfd = {q->lfd, POLLIN, 0};
	uint32_t caps[USB_REDIR_CAPS_SIZE] = {0};
	int64_t end;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	q->fd = accept(q->lfd, NULL, NULL);
	if (q->fd < 0)
		return false;
	fcntl(q->fd, F_SETFL, O_NONBLOCK);
	q->eof = q->hello = q->have_ii = q->have_ei = q->have_dc = false;
	q->nreplies = 0;
	q->p = usbredirparser_create();
	q->p->priv = q;
	q->p->log_func = p_log;
	q->p->read_func = p_read;
	q->p->write_func = p_write;
	q->p->hello_func = p_hello;
	q->p->interface_info_func = p_ii;
	q->p->ep_info_func = p_ei;
	q->p->device_connect_func = p_dc;
	q->p->device_disconnect_func = p_ddc;
	q->p->control_packet_func = p_control;
	q->p->bulk_packet_func = p_bulk;
	q->p->configuration_status_func = p_config_status;
	q->p->interrupt_receiving_status_func = p_int_status;
	/* what QEMU 7.2 announces */
	usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_filter);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_device_disconnect_ack);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
	usbredirparser_init(q->p, "loopback", caps, USB_REDIR_CAPS_SIZE, 0);
	end = mtk_now_ms() + 5000;
	while (!q->have_dc && !q->eof && mtk_now_ms() < end)
		pump(q, 20);
	return q->have_dc;
}

static void peer_close(struct peer *q)
{
	if (q->p)
		usbredirparser_destroy(q->p);
	q->p = NULL;
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/* Waits until usbsim closes the connection (the cable is pulled). */
static bool wait_eof(struct peer *q, int ms)
{
	int64_t end = mtk_now_ms() + ms;

	while (!q->eof && mtk_now_ms() < end)
		pump(q, 20);
	return q->eof;
}

static const struct reply *control(struct peer *q, uint8_t rt, uint8_t req, uint16_t value,
				   uint16_t index, uint16_t length, const uint8_t *out)
{
	struct usb_redir_control_packet_header h = {
	    (uint8_t)(rt & 0x80), req, rt, 0, value, index, length};
	uint64_t id = ++q->next_id;

	usbredirparser_send_control_packet(q->p, id, &h, (rt & 0x80) ? NULL : (uint8_t *)out,
					   (rt & 0x80) ? 0 : length);
	return wait_reply(q, id, 3000);
}

static uint64_t bulk_in_submit(struct peer *q, uint32_t len)
{
	struct usb_redir_bulk_packet_header h;
	uint64_t id = ++q->next_id;

	memset(&h, 0, sizeof(h));
	h.endpoint = 0x81;
	h.length = (uint16_t)(len & 0xffff);
	h.length_high = (uint16_t)(len >> 16);
	usbredirparser_send_bulk_packet(q->p, id, &h, NULL, 0);
	return id;
}

static bool bulk_out(struct peer *q, const uint8_t *data, int len)
{
	struct usb_redir_bulk_packet_header h;
	uint64_t id = ++q->next_id;
	const struct reply *r;

	memset(&h, 0, sizeof(h));
	h.endpoint = 0x01;
	h.length = (uint16_t)len;
	usbredirparser_send_bulk_packet(q->p, id, &h, (uint8_t *)data, len);
	r = wait_reply(q, id, 3000);
	return r && r->status == usb_redir_success && r->len == len;
}

/* Reads exactly len bytes from bulk IN with 64-byte requests... or bigger ones. */
static int bulk_in_exact(struct peer *q, uint8_t *buf, int len, uint32_t req, int ms)
{
	int got = 0;
	int64_t end = mtk_now_ms() + ms;

	while (got < len && mtk_now_ms() < end) {
		uint64_t id = bulk_in_submit(q, req);
		const struct reply *r = wait_reply(q, id, (int)(end - mtk_now_ms()));

		if (!r || r->status != usb_redir_success)
			return got;
		if (got + r->len > len)
			return -1; /* more than asked: the test's framing is off */
		memcpy(buf + got, r->data, (size_t)r->len);
		got += r->len;
	}
	return got;
}

/* ---------------------------------------------------------------- usbsim as a child */

static bool spawn(struct child *c, const char *usbsim, const char *sock, const char *image,
		  const char *opts)
{
	int to_child[2], from_child[2];

	if (pipe(to_child) < 0 || pipe(from_child) < 0)
		return false;
	c->pid = fork();
	if (c->pid < 0)
		return false;
	if (c->pid == 0) {
		dup2(to_child[0], 0);
		dup2(from_child[1], 1);
		close(to_child[1]);
		close(from_child[0]);
		execl(usbsim, usbsim, "-s", sock, "-c", "-", "-o", opts, "--min-off", "100", "-vv",
		      image, (char *)NULL);
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	c->ctl_w = to_child[1];
	c->ctl_r = from_child[0];
	return true;
}

/* Sends a control command and reads one reply line into out. */
static bool command(struct child *c, struct peer *q, const char *cmd, char *out, size_t outlen)
{
	size_t n = 0;
	int64_t end = mtk_now_ms() + 5000;

	if (write(c->ctl_w, cmd, strlen(cmd)) < 0 || write(c->ctl_w, "\n", 1) < 0)
		return false;
	while (mtk_now_ms() < end && n + 1 < outlen) {
		struct pollfd pfd = {c->ctl_r, POLLIN, 0};
		char ch;

		/* keep QEMU's side of the socket serviced while usbsim works */
		if (q && q->fd >= 0 && !q->eof)
			pump(q, 0);
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		if (read(c->ctl_r, &ch, 1) != 1)
			return false;
		if (ch == '\n') {
			out[n] = 0;
			return !strncmp(out, "ok", 2);
		}
		out[n++] = ch;
	}
	out[n] = 0;
	return false;
}

/* ---------------------------------------------------------------- the checks */

/* clang-format off */
static const uint8_t dev_desc[18] = {0x12, 0x01, 0x10, 0x01, 0x02, 0x00, 0x00, 0x40, 0x8d,
				     0x0e, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01};
static const uint8_t cfg_desc[67] = {
	0x09, 0x02, 0x43, 0x00, 0x02, 0x01, 0x00, 0x80, 0x00, 0x09, 0x04, 0x00, 0x00, 0x02,
	0x0a, 0x00, 0x00, 0x01, 0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00, 0x07, 0x05, 0x01,
	0x02, 0x40, 0x00, 0x00, 0x09, 0x04, 0x01, 0x00, 0x01, 0x02, 0x02, 0x01, 0x02, 0x05,
	0x24, 0x00, 0x10, 0x01, 0x04, 0x24, 0x02, 0x0f, 0x05, 0x24, 0x06, 0x01, 0x00, 0x05,
	0x24, 0x01, 0x03, 0x00, 0x07, 0x05, 0x83, 0x03, 0x10, 0x00, 0x01};

/* clang-format on */

static void check_announcement(struct peer *q)
{
	check(q->have_ii && q->ii.interface_count == 2 && q->ii.interface[0] == 0 &&
		  q->ii.interface_class[0] == 0x0a && q->ii.interface[1] == 1 &&
		  q->ii.interface_class[1] == 0x02 && q->ii.interface_subclass[1] == 0x02 &&
		  q->ii.interface_protocol[1] == 0x01,
	      "interface_info: #0 CDC data, #1 CDC ACM protocol 1");
	check(q->have_ei && q->ei.type[1] == usb_redir_type_bulk &&
		  q->ei.max_packet_size[1] == 64 && q->ei.type[17] == usb_redir_type_bulk &&
		  q->ei.max_packet_size[17] == 64 && q->ei.type[19] == usb_redir_type_interrupt &&
		  q->ei.max_packet_size[19] == 16 && q->ei.interval[19] == 1 &&
		  q->ei.type[0] == usb_redir_type_control &&
		  q->ei.type[2] == usb_redir_type_invalid,
	      "ep_info: bulk 0x01/0x81 64 B, interrupt 0x83 16 B interval 1");
	check(q->have_dc && q->dc.speed == usb_redir_speed_full && q->dc.vendor_id == 0x0e8d &&
		  q->dc.product_id == 0x0003 && q->dc.device_class == 2 &&
		  q->dc.device_version_bcd == 0x0100,
	      "device_connect: 0e8d:0003 full speed, class 02, bcdDevice 1.00");
}

static void check_ep0(struct peer *q)
{
	const struct reply *r;
	static const uint8_t lc[7] = {0x00, 0x10, 0x0e, 0x00, 0x00, 0x00, 0x08}; /* 921600 8N1 */
	static const uint8_t s1[16] = {16,  3, 'd', 0, 'a', 0, 't', 0,
				       'a', 0, '_', 0, 'i', 0, 'f', 0};
	struct usb_redir_set_configuration_header sc = {1};
	uint64_t id;

	r = control(q, 0x80, 6, 0x0100, 0, 64, NULL);
	check(r && r->status == 0 && r->len == 18 && !memcmp(r->data, dev_desc, 18),
	      "device descriptor = capture");
	r = control(q, 0x80, 6, 0x0100, 0, 8, NULL);
	check(r && r->len == 8 && !memcmp(r->data, dev_desc, 8),
	      "device descriptor, first 8 bytes");
	r = control(q, 0x80, 6, 0x0200, 0, 9, NULL);
	check(r && r->len == 9 && !memcmp(r->data, cfg_desc, 9), "configuration header (9 bytes)");
	r = control(q, 0x80, 6, 0x0200, 0, 255, NULL);
	check(r && r->len == 67 && !memcmp(r->data, cfg_desc, 67),
	      "configuration descriptor = capture (67 bytes)");
	r = control(q, 0x80, 6, 0x0300, 0, 255, NULL);
	check(r && r->len == 4 && r->data[2] == 0x09 && r->data[3] == 0x04, "LANGID 0x0409");
	r = control(q, 0x80, 6, 0x0301, 0x0409, 255, NULL);
	check(r && r->len == 16 && !memcmp(r->data, s1, 16), "string 1 = \"data_if\"");
	r = control(q, 0x80, 6, 0x0302, 0x0409, 255, NULL);
	check(r && r->len == 16 && !memcmp(r->data + 2, "c\0o\0m\0m\0_\0i\0f\0", 14),
	      "string 2 = \"comm_if\"");
	r = control(q, 0x80, 6, 0x0600, 0, 10, NULL);
	check(r && r->status == usb_redir_stall, "device qualifier stalls (USB 1.1 device)");
	r = control(q, 0xa1, 0x21, 0, 1, 7, NULL);
	check(r && r->status == 0 && r->len == 7 && r->data[0] == 0x00 && r->data[1] == 0xc2 &&
		  r->data[2] == 0x01,
	      "GET_LINE_CODING: 115200 before any SET");
	r = control(q, 0x21, 0x20, 0, 1, 7, lc);
	check(r && r->status == 0, "SET_LINE_CODING 921600 accepted");
	r = control(q, 0xa1, 0x21, 0, 1, 7, NULL);
	check(r && r->len == 7 && !memcmp(r->data, lc, 7), "GET_LINE_CODING returns what was set");
	r = control(q, 0x21, 0x22, 3, 1, 0, NULL);
	check(r && r->status == 0, "SET_CONTROL_LINE_STATE DTR|RTS accepted");
	r = control(q, 0x40, 0x01, 0, 0, 0, NULL);
	check(r && r->status == usb_redir_stall, "unknown vendor request stalls");
	id = ++q->next_id;
	usbredirparser_send_set_configuration(q->p, id, &sc);
	r = wait_reply(q, id, 3000);
	check(r && r->status == 0 && r->data[0] == 1, "SET_CONFIGURATION 1");
}

static void check_data_path(struct peer *q)
{
	static const uint8_t hs_out[4] = {0xa0, 0x0a, 0x50, 0x05};
	static const uint8_t hs_in[4] = {0x5f, 0xf5, 0xaf, 0xfa};
	uint8_t buf[8192], meid[16];
	const struct reply *r;
	uint64_t held;
	bool hs_ok = true;
	int n;

	held = bulk_in_submit(q, 64);
	pump(q, 300);
	check(!find_reply(q, held), "bulk IN held while the boot ROM has nothing to say");
	usbredirparser_send_cancel_data_packet(q->p, held);
	r = wait_reply(q, held, 2000);
	check(r && r->status == usb_redir_cancelled && r->len == 0, "cancel answered as cancelled");

	for (int i = 0; i < 4; i++) {
		if (!bulk_out(q, &hs_out[i], 1) || bulk_in_exact(q, buf, 1, 64, 3000) != 1 ||
		    buf[0] != hs_in[i])
			hs_ok = false;
	}
	check(hs_ok, "handshake A0 0A 50 05 -> 5F F5 AF FA");

	buf[0] = 0xe1;
	n = bulk_out(q, buf, 1) ? bulk_in_exact(q, buf, 1 + 4 + 16 + 2, 4096, 3000) : -1;
	for (int i = 0; i < 16; i++)
		sscanf(MEID + 2 * i, "%2hhx", &meid[i]);
	check(n == 23 && buf[0] == 0xe1 && buf[4] == 0x10 && !memcmp(buf + 5, meid, 16) &&
		  buf[21] == 0 && buf[22] == 0,
	      "GET_ME_ID answers the configured ME ID (%d bytes)", n);

	/* READ32 of 1024 dwords of SRAM: 4 KiB of data, collected over several big requests */
	{
		uint8_t cmd[9] = {0xd1, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00};
		int want = 1 + 4 + 4 + 2 + 4096 + 2;

		n = bulk_out(q, cmd, 9) ? bulk_in_exact(q, buf, want, 1024, 5000) : -1;
		check(n == want && buf[0] == 0xd1 && !memcmp(buf + 1, cmd + 1, 8) && buf[9] == 0 &&
			  buf[10] == 0 && buf[want - 2] == 0 && buf[want - 1] == 0,
		      "READ32 1024 dwords: %d of %d bytes, statuses 0000", n, want);
	}
}

/* One IN request of 4096 bytes: the length it completes with (-1: none in ms). */
static int in_completion(struct peer *q, uint8_t *buf, int ms)
{
	uint64_t id = bulk_in_submit(q, 4096);
	const struct reply *r = wait_reply(q, id, ms);

	if (!r) {
		usbredirparser_send_cancel_data_packet(q->p, id);
		wait_reply(q, id, 2000);
		return -1;
	}
	if (r->status != usb_redir_success)
		return -1;
	memcpy(buf, r->data, (size_t)r->len);
	return r->len;
}

static void check_transfers(struct peer *q)
{
	static const uint8_t lc[7] = {0x00, 0xc2, 0x01, 0x00, 0x00, 0x00, 0x08};
	static const uint8_t hs_out[4] = {0xa0, 0x0a, 0x50, 0x05};
	static const uint8_t hs_in[4] = {0x5f, 0xf5, 0xaf, 0xfa};
	uint8_t buf[8192];
	const struct reply *r;
	bool ok = true;
	int n;

	n = bulk_out(q, hs_out, 1) ? in_completion(q, buf, 300) : -2;
	check(n == -1, "dtr=required: no answer before the line is set up (%d)", n);
	r = control(q, 0x21, 0x20, 0, 1, 7, lc);
	check(r && r->status == 0, "SET_LINE_CODING 115200 8N1");
	n = bulk_out(q, hs_out, 1) ? in_completion(q, buf, 300) : -2;
	check(n == -1, "dtr=required: still nothing without DTR (%d)", n);
	r = control(q, 0x21, 0x22, 3, 1, 0, NULL);
	check(r && r->status == 0, "SET_CONTROL_LINE_STATE DTR|RTS");
	for (int i = 0; i < 4; i++)
		if (!bulk_out(q, &hs_out[i], 1) || in_completion(q, buf, 2000) != 1 ||
		    buf[0] != hs_in[i])
			ok = false;
	check(ok, "then the handshake works, one 1-byte transfer per answer");

	/* READ32 of 16 dwords: echo 1, address 4, count 4, status 2, then 64 data bytes that
	 * no zero-length packet ends: the status after them does (66) */
	{
		static const uint8_t cmd[9] = {0xd1, 0x70, 0x00, 0x00, 0x00, 0, 0, 0, 0x10};
		const int want[5] = {1, 4, 4, 2, 66};
		int got[5];

		ok = bulk_out(q, cmd, 1);
		got[0] = in_completion(q, buf, 2000);
		ok = ok && bulk_out(q, cmd + 1, 4);
		got[1] = in_completion(q, buf, 2000);
		ok = ok && bulk_out(q, cmd + 5, 4);
		for (int i = 2; i < 5; i++)
			got[i] = in_completion(q, buf, 2000);
		for (int i = 0; i < 5; i++)
			ok = ok && got[i] == want[i];
		check(ok && buf[64] == 0 && buf[65] == 0,
		      "READ32 16 dwords: transfers of %d %d %d %d %d bytes (real ROM: 1 4 4 2 66)",
		      got[0], got[1], got[2], got[3], got[4]);
	}
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/usbsim-loopback.XXXXXX", sock[128], image[128], line[512];
	struct sockaddr_un sa;
	struct peer q;
	struct child c;
	uint8_t *img;
	FILE *f;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: usbsim_loopback PATH-TO-mtkbak-usbsim\n");
		return 2;
	}
	if (access(argv[1], X_OK) != 0) {
		printf("SKIP: %s not built\n", argv[1]);
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock, sizeof(sock), "%s/ur.sock", dir);
	snprintf(image, sizeof(image), "%s/flash.bin", dir);
	/* a 64 KiB flash with a recognisable pattern */
	img = malloc(65536);
	for (int i = 0; i < 65536; i++)
		img[i] = (uint8_t)(i * 7 + (i >> 8));
	f = fopen(image, "wb");
	if (!f || fwrite(img, 1, 65536, f) != 65536 || fclose(f) != 0)
		return 1;
	free(img);

	memset(&q, 0, sizeof(q));
	q.fd = -1;
	q.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return 1;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (bind(q.lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(q.lfd, 2) < 0) {
		perror("loopback: listen");
		return 1;
	}
	if (!spawn(&c, argv[1], sock, image, "meid=" MEID)) {
		perror("loopback: spawn");
		return 1;
	}

	/* 1: plugged in at start */
	check(peer_accept(&q, 10000), "usbsim connects (cable in)");
	check_announcement(&q);
	check_ep0(&q);
	check_data_path(&q);

	/* 2: unplug command closes the socket; plug re-connects with a fresh announcement */
	check(command(&c, &q, "unplug", line, sizeof(line)) && wait_eof(&q, 3000),
	      "unplug closes the socket");
	peer_close(&q);
	check(command(&c, NULL, "plug", line, sizeof(line)) && peer_accept(&q, 5000),
	      "plug reconnects and announces the device again");
	check(command(&c, &q, "status", line, sizeof(line)) && strstr(line, "connects=2") &&
		  strstr(line, "present=1"),
	      "status: %s", line);

	/* 3: the simulator's own cable drop: gone after 2 device bytes, back 300 ms later */
	check(command(&c, &q, "new-unplugged disconnect=2,replug=300", line, sizeof(line)),
	      "new watch with disconnect=2,replug=300");
	wait_eof(&q, 3000);
	peer_close(&q);
	check(command(&c, NULL, "plug", line, sizeof(line)) && peer_accept(&q, 5000),
	      "fresh watch plugged in");
	{
		uint8_t b = 0xa0, in[4];
		bool ok = bulk_out(&q, &b, 1) && bulk_in_exact(&q, in, 1, 64, 3000) == 1;

		/* the second byte may be lost with the bus, as on a real cable drop */
		b = 0x0a;
		ok = ok && bulk_out(&q, &b, 1);
		bulk_in_exact(&q, in, 1, 64, 1000);
		check(ok && wait_eof(&q, 3000),
		      "the watch leaves the bus after 2 bytes: socket closed");
	}
	peer_close(&q);
	check(peer_accept(&q, 5000), "the watch comes back by itself (replug=300)");

	/* 4: a watch that waits for the CDC line state, then the real ROM's transfer ends */
	check(command(&c, &q, "new-unplugged dtr=required", line, sizeof(line)),
	      "new watch with dtr=required");
	wait_eof(&q, 3000);
	peer_close(&q);
	check(command(&c, NULL, "plug", line, sizeof(line)) && peer_accept(&q, 5000),
	      "dtr=required watch plugged in");
	check_transfers(&q);

	check(command(&c, &q, "bogus", line, sizeof(line)) == false && !strncmp(line, "err", 3),
	      "unknown command answered with err");
	check(command(&c, &q, "quit", line, sizeof(line)), "quit");
	peer_close(&q);
	close(c.ctl_w);
	waitpid(c.pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "usbsim exits 0 (status %d)", status);

	unlink(sock);
	unlink(image);
	rmdir(dir);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
