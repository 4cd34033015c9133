/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Serial backend (libserialport): the path on Windows and macOS, for a CDC port the kernel
 * already owns, and for UART boot through a USB-UART cable. 115200 8N1, DTR and RTS on. */
#include <fcntl.h>
#include <libserialport.h>
#ifndef _WIN32
#include <poll.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifndef _WIN32
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#endif

#include "mtkbak/errors.h"
#include "serial_win.h"
#include "tp_internal.h"

struct serial_tp {
	struct mtk_transport base; /* first: the ops get a struct mtk_transport * */
	struct sp_port *port;
	char path[64];
#ifdef _WIN32
	struct serial_gone gone;
#endif
};

#ifndef _WIN32
static int map_os_err(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return -EACCES;
	case EBUSY:
		return -EBUSY;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return -ENODEV;
	default:
		return -EIO;
	}
}
#endif

/* A failed or silent read on a port whose device node vanished: the cable was pulled. */
static int gone_or(struct serial_tp *s, int err)
{
#ifdef _WIN32
	return serial_win_gone(s->path, &s->gone) ? -ENODEV : err;
#else
	return access(s->path, F_OK) != 0 ? -ENODEV : err;
#endif
}

/* libserialport's last failure: an errno value, on Windows a GetLastError() code. */
static int sp_fail_err(void)
{
#ifdef _WIN32
	return serial_win_last_error();
#else
	return map_os_err(sp_last_error_code());
#endif
}

static int serial_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct serial_tp *s = (struct serial_tp *)t;
	/* libserialport treats a timeout of 0 as "forever" */
	enum sp_return r =
	    sp_blocking_read_next(s->port, buf, len, (unsigned)(timeout_ms > 0 ? timeout_ms : 1));

	if (r > 0)
		return (int)r;
	if (r == 0)
		return gone_or(s, -ETIMEDOUT);
	return gone_or(s, r == SP_ERR_FAIL ? sp_fail_err() : -EIO);
}

static int serial_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct serial_tp *s = (struct serial_tp *)t;
	enum sp_return r =
	    sp_blocking_write(s->port, buf, len, (unsigned)(timeout_ms > 0 ? timeout_ms : 1));

	if (r >= 0 && (size_t)r == len)
		return (int)len;
	if (r >= 0)
		return gone_or(s, -ETIMEDOUT);
	return gone_or(s, r == SP_ERR_FAIL ? sp_fail_err() : -EIO);
}

static void serial_close(struct mtk_transport *t)
{
	struct serial_tp *s = (struct serial_tp *)t;

	sp_close(s->port);
	sp_free_port(s->port);
	free(s);
}

static const struct mtk_transport_ops serial_ops = {
    .kind = "serial",
    .read = serial_read,
    .write = serial_write,
    .close = serial_close,
};

#ifndef _WIN32
/* ---- plain termios, for ttys libserialport cannot describe (ptys, odd drivers) ---- */

struct tty_tp {
	struct mtk_transport base;
	int fd;
	char path[64];
};

static int tty_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct tty_tp *s = (struct tty_tp *)t;
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
	int r = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 1);
	ssize_t n;

	if (r == 0)
		return access(s->path, F_OK) != 0 ? -ENODEV : -ETIMEDOUT;
	if (r < 0)
		return errno == EINTR ? -ETIMEDOUT : -EIO;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
		return -ENODEV;
	n = read(s->fd, buf, len);
	if (n > 0)
		return (int)n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -ETIMEDOUT;
	return -ENODEV; /* end of file on a tty: the device is gone */
}

static int tty_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct tty_tp *s = (struct tty_tp *)t;
	int64_t deadline = mtk_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
		int64_t left = deadline - mtk_now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			return -ENODEV;
		n = write(s->fd, buf + done, len - done);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return map_os_err(errno) == -EIO ? -EIO : -ENODEV;
		if (n > 0)
			done += (size_t)n;
	}
	return (int)len;
}

static void tty_close(struct mtk_transport *t)
{
	struct tty_tp *s = (struct tty_tp *)t;

	close(s->fd);
	free(s);
}

static const struct mtk_transport_ops tty_ops = {
    .kind = "serial",
    .read = tty_read,
    .write = tty_write,
    .close = tty_close,
};

static int tty_open(const char *name, const struct mtk_log *log, struct mtk_transport **out,
		    char *err, size_t errlen)
{
	struct tty_tp *s;
	struct termios tio;
	int fd, bits = TIOCM_DTR | TIOCM_RTS;

	fd = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s: %s", name, strerror(e));
		return map_os_err(e);
	}
	if (!isatty(fd) || tcgetattr(fd, &tio) != 0) {
		snprintf(err, errlen, "%s is not a serial port", name);
		close(fd);
		return -ENODEV;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		snprintf(err, errlen, "%s is in use by another program", name);
		close(fd);
		return -EBUSY;
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(fd, TCSANOW, &tio) != 0) {
		snprintf(err, errlen, "cannot set %s to 115200 8N1", name);
		close(fd);
		return -EIO;
	}
	ioctl(fd, TIOCMBIS, &bits); /* DTR/RTS on where the port has them */
	tcflush(fd, TCIOFLUSH);
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	snprintf(s->path, sizeof(s->path), "%s", name);
	s->base.ops = &tty_ops;
	s->base.log = log;
	snprintf(s->base.name, sizeof(s->base.name), "serial:%s", name);
	mtk_logf(log, MTK_LOG_INFO, "serial: opened %s at 115200 8N1 (termios)", name);
	*out = &s->base;
	return 0;
}
#endif

int serial_open_name(const char *name, const struct mtk_log *log, struct mtk_transport **out,
		     char *err, size_t errlen)
{
	struct serial_tp *s;
	enum sp_return r;
	int ret;

	if (strlen(name) >= sizeof(s->path)) {
		snprintf(err, errlen, "serial port name too long");
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->path, sizeof(s->path), "%s", name);
	r = sp_get_port_by_name(name, &s->port);
	if (r != SP_OK) {
		free(s);
#ifndef _WIN32
		if (access(name, F_OK) == 0)
			return tty_open(name, log, out, err, errlen);
#endif
		snprintf(err, errlen, "no serial port %s", name);
		return -ENODEV;
	}
	r = sp_open(s->port, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
#ifdef _WIN32
		/* a Win32 code: libserialport's own text for it ("Access is denied.") */
		char *msg = r == SP_ERR_FAIL ? sp_last_error_message() : NULL;

		ret = r == SP_ERR_FAIL ? serial_win_last_error() : -EIO;
		snprintf(err, errlen, "cannot open %s: %s%s", name,
			 ret == -EBUSY ? "in use by another program: " : "",
			 msg ? msg : mtk_strerror(ret));
		sp_free_error_message(msg);
#else
		int e = r == SP_ERR_FAIL ? sp_last_error_code() : EIO;

		ret = map_os_err(e);
		snprintf(err, errlen, "cannot open %s: %s", name, strerror(e));
#endif
		sp_free_port(s->port);
		free(s);
		return ret;
	}
	if (sp_set_baudrate(s->port, 115200) != SP_OK || sp_set_bits(s->port, 8) != SP_OK ||
	    sp_set_parity(s->port, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(s->port, 1) != SP_OK ||
	    sp_set_flowcontrol(s->port, SP_FLOWCONTROL_NONE) != SP_OK) {
		snprintf(err, errlen, "cannot set %s to 115200 8N1", name);
		sp_close(s->port);
		sp_free_port(s->port);
		free(s);
		return -EIO;
	}
	/* DTR/RTS on: harmless, and needed by some adapters; a pty cannot, which is fine */
	sp_set_dtr(s->port, SP_DTR_ON);
	sp_set_rts(s->port, SP_RTS_ON);
	sp_flush(s->port, SP_BUF_BOTH);
	s->base.ops = &serial_ops;
	s->base.log = log;
	snprintf(s->base.name, sizeof(s->base.name), "serial:%s", name);
	mtk_logf(log, MTK_LOG_INFO, "serial: opened %s at 115200 8N1", name);
	*out = &s->base;
	return 0;
}

static bool port_matches(struct sp_port *p)
{
	int vid = 0, pid = 0;

	return sp_get_port_transport(p) == SP_TRANSPORT_USB &&
	       sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK && vid == MTK_USB_VID &&
	       pid == MTK_USB_PID;
}

int serial_scan(char (*names)[64], size_t max)
{
	struct sp_port **ports;
	int count = 0;

	if (sp_list_ports(&ports) != SP_OK)
		return 0; /* no serial ports on this system is not an error */
	for (size_t i = 0; ports[i]; i++) {
		if (!port_matches(ports[i]))
			continue;
		if ((size_t)count < max)
			snprintf(names[count], 64, "%s", sp_get_port_name(ports[i]));
		count++;
	}
	sp_free_port_list(ports);
	return count;
}

int serial_list(struct port_info *out, size_t max)
{
	struct sp_port **ports;
	size_t count = 0;

	if (sp_list_ports(&ports) != SP_OK)
		return 0;
	for (size_t i = 0; ports[i] && count < max; i++) {
		struct port_info *pi = &out[count++];
		int vid = 0, pid = 0;

		memset(pi, 0, sizeof(*pi));
		pi->kind = PORT_SERIAL;
		snprintf(pi->path, sizeof(pi->path), "%s", sp_get_port_name(ports[i]));
		if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB &&
		    sp_get_port_usb_vid_pid(ports[i], &vid, &pid) == SP_OK) {
			pi->vid = (uint16_t)vid;
			pi->pid = (uint16_t)pid;
		}
#ifdef _WIN32
		pi->accessible = true; /* only opening a COM port tells; access() is always true */
#else
		pi->accessible = access(pi->path, R_OK | W_OK) == 0;
#endif
	}
	sp_free_port_list(ports);
	return (int)count;
}
