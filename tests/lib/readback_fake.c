/* SPDX-License-Identifier: GPL-3.0-or-later */
/* See readback_fake.h. */
#include "readback_fake.h"

#include <errno.h>
#include <string.h>

#include "mtkbak/errors.h"

void rb_fake_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)(x >> 11);
	}
}

static int fake_connect(void *dev, int timeout_ms, struct brom_id *id)
{
	struct rb_fake *f = dev;

	(void)timeout_ms;
	f->connects++;
	if (f->connect_error && f->connects == 1)
		return f->connect_error;
	if (f->disconnected) {
		if (f->never_back)
			return -ENODEV;
		if (f->absent_connects) {
			f->absent_connects--;
			return -ENODEV;
		}
	}
	memset(id, 0, sizeof(*id));
	id->hw_code = 0x6261;
	id->chip = chip_find(0x6261);
	memcpy(id->me_id, f->disconnected && f->me_id_changes ? f->me_id_after_reconnect : f->me_id,
	       16);
	f->connected = true;
	return 0;
}

static int fake_flash_info(void *dev, struct da_flash_info *fi)
{
	struct rb_fake *f = dev;

	if (!f->agent)
		return -ENOTSUP;
	if (!f->connected)
		return -ENODEV;
	if (f->spi_fail)
		return -EREMOTEIO;
	memset(fi, 0, sizeof(*fi));
	memcpy(fi->jedec, f->jedec, 3);
	fi->jedec_size = rb_jedec_capacity_size(f->jedec[2]);
	fi->sfdp_size = f->sfdp_size;
	return 0;
}

static int fake_read(void *dev, uint32_t off, uint32_t len, uint8_t *buf, rb_data_fn on_data,
		     void *cb_ctx)
{
	struct rb_fake *f = dev;
	bool covers_bad = f->badmsg_at >= off && f->badmsg_at - off < len;
	bool covers_corrupt = f->corrupt_at >= off && f->corrupt_at - off < len;

	if (!f->connected)
		return -ENODEV;
	f->reads++;
	if (covers_bad && f->badmsg_times) {
		f->badmsg_times--;
		return -EBADMSG;
	}
	for (uint32_t done = 0; done < len;) {
		uint32_t k = len - done < 65536 ? len - done : 65536;

		if (f->disconnect_at && f->served + k > f->disconnect_at) {
			f->disconnect_at =
			    f->disconnect_every ? f->disconnect_at + f->disconnect_every : 0;
			f->connected = false;
			f->disconnected = true;
			return -ENODEV;
		}
		for (uint32_t i = 0; i < k;) {
			uint32_t a = (off + done + i) & (f->flash_len - 1);
			uint32_t run = f->flash_len - a < k - i ? f->flash_len - a : k - i;

			memcpy(buf + done + i, f->flash + a, run);
			i += run;
		}
		done += k;
		f->served += k;
		if (on_data) {
			int ret = on_data(cb_ctx, done);

			if (ret < 0)
				return ret;
		}
	}
	if (covers_corrupt && f->corrupt_times) {
		f->corrupt_times--;
		buf[f->corrupt_at - off] ^= 0x10;
	}
	return 0;
}

static int fake_crc32(void *dev, uint32_t off, uint32_t len, uint32_t *crc)
{
	struct rb_fake *f = dev;
	uint32_t c = 0;

	if (!f->agent)
		return -ENOTSUP;
	if (!f->connected)
		return -ENODEV;
	f->crcs++;
	for (uint32_t done = 0; done < len;) {
		uint32_t a = (off + done) & (f->flash_len - 1);
		uint32_t k = f->flash_len - a < len - done ? f->flash_len - a : len - done;

		c = rb_crc32(c, f->flash + a, k);
		done += k;
	}
	*crc = c;
	return 0;
}

static void fake_finish(void *dev, bool done)
{
	struct rb_fake *f = dev;

	if (done)
		f->finishes++;
	else
		f->aborts++;
}

static void fake_close(void *dev)
{
	struct rb_fake *f = dev;

	f->closes++;
	f->connected = false;
}

static const char *fake_detail(void *dev)
{
	(void)dev;
	return "fake detail";
}

const struct rb_dev_ops rb_fake_ops = {
    .detail = fake_detail,
    .connect = fake_connect,
    .flash_info = fake_flash_info,
    .read = fake_read,
    .crc32 = fake_crc32,
    .finish = fake_finish,
    .close = fake_close,
};

int rb_fake_cancelled(void *ctx)
{
	struct rb_fake *f = ctx;

	return f->cancel_at && f->served >= f->cancel_at;
}
