/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small reader for USBPcap captures (pcap link type 249): bulk transfers in order. */
#ifndef MTKBAK_TESTS_PCAP_USB_H
#define MTKBAK_TESTS_PCAP_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usbpcap_rec {
	double ts;	   /* seconds from the first record */
	bool in;	   /* device to host */
	uint8_t endpoint;  /* with the direction bit */
	uint8_t transfer;  /* 0 iso, 1 interrupt, 2 control, 3 bulk */
	uint16_t function; /* URB function */
	const uint8_t *data;
	uint32_t len;
};

struct usbpcap {
	uint8_t *buf;
	size_t len;
	struct usbpcap_rec *recs;
	size_t count;
};

/* Parses the whole file; every length is checked against the buffer. 0, -ENOENT,
 * -EBADMSG (not a USBPcap file or damaged), -ENOMEM. */
int usbpcap_load(const char *path, struct usbpcap *p);
void usbpcap_free(struct usbpcap *p);

/* A bulk transfer that carries data. */
bool usbpcap_is_bulk_data(const struct usbpcap_rec *r);
/* The real device's ME ID, from the E1 answer in the capture (IN: echo, length, 16 bytes),
 * as 32 hex digits: it is per chip. false when the capture has none. */
bool usbpcap_me_id(const struct usbpcap *p, char hex[33]);

#endif
