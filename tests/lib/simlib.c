/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "simlib.h"

#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/port.h"

uint8_t *simlib_image(size_t len, uint32_t seed)
{
	uint8_t *img = malloc(len);
	uint32_t x = seed * 2654435761u + 12345u;

	if (!img)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		img[i] = (uint8_t)x;
	}
	if (len >= 8)
		memcpy(img, "SF_BOOT", 8);
	return img;
}

int simlib_open(struct simlib *s, const char *opts, size_t image_len)
{
	struct sim_opts o;
	char err[256];
	int ret;

	memset(s, 0, sizeof(*s));
	sim_opts_default(&o);
	if ((ret = sim_opts_parse(opts, &o, err, sizeof(err))) < 0)
		return ret;
	s->image = simlib_image(image_len, o.seed);
	s->image_len = image_len;
	s->w = sim_new(&o, s->image, image_len);
	if (!s->w)
		return -EINVAL;
	if ((ret = sim_wait_present(s->w, 5000)) < 0)
		return ret;
	if ((ret = sim_transport_new(s->w, "sim:test", &s->tp)) < 0)
		return ret;
	brom_init(&s->b, s->tp, NULL);
	return 0;
}

int simlib_open_synced(struct simlib *s, const char *opts, size_t image_len)
{
	int ret = simlib_open(s, opts, image_len);

	return ret < 0 ? ret : brom_handshake(&s->b, 2000);
}

int simlib_reopen(struct simlib *s, int timeout_ms)
{
	int ret;

	mtk_tp_close(s->tp);
	s->tp = NULL;
	if ((ret = sim_wait_present(s->w, timeout_ms)) < 0)
		return ret;
	if ((ret = sim_transport_new(s->w, "sim:test", &s->tp)) < 0)
		return ret;
	s->b.tp = s->tp;
	return 0;
}

void simlib_close(struct simlib *s)
{
	mtk_tp_close(s->tp);
	sim_free(s->w);
	free(s->image);
	memset(s, 0, sizeof(*s));
}

int simlib_xfer(struct simlib *s, const uint8_t *tx, size_t txlen, uint8_t *rx, size_t rxlen,
		int timeout_ms)
{
	int ret = mtk_tp_write(s->tp, tx, txlen, timeout_ms);

	if (ret < 0 || !rxlen)
		return ret;
	return mtk_tp_read_exact(s->tp, rx, rxlen, timeout_ms);
}

struct port_env *test_port_env(void)
{
	struct port_env *env = port_env_new(NULL);

	if (env && port_env_add_backend(env, &sim_port_backend) < 0) {
		port_env_free(env);
		env = NULL;
	}
	return env;
}
