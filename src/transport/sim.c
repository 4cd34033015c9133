/* Transport backend on the in-process simulated watch. Like a USB device handle, it dies
 * when the watch re-enumerates: a new port_open is needed then. */
#include <stdio.h>
#include <stdlib.h>

#include "mtkbak/errors.h"
#include "tp_internal.h"

struct sim_tp {
	struct mtk_transport base; /* first: the ops get a struct mtk_transport * */
	struct sim_watch *w;
	uint64_t generation;
};

static int sim_tp_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct sim_tp *s = (struct sim_tp *)t;

	if (sim_generation(s->w) != s->generation)
		return -ENODEV;
	return sim_host_read(s->w, buf, len, timeout_ms);
}

static int sim_tp_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct sim_tp *s = (struct sim_tp *)t;

	if (sim_generation(s->w) != s->generation)
		return -ENODEV;
	return sim_host_write(s->w, buf, len, timeout_ms);
}

static void sim_tp_close(struct mtk_transport *t)
{
	free(t);
}

static const struct mtk_transport_ops sim_tp_ops = {
    .kind = "sim",
    .read = sim_tp_read,
    .write = sim_tp_write,
    .close = sim_tp_close,
};

int sim_transport_new(struct sim_watch *w, const char *name, struct mtk_transport **out)
{
	struct sim_tp *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->base.ops = &sim_tp_ops;
	snprintf(s->base.name, sizeof(s->base.name), "%s", name);
	s->w = w;
	s->generation = sim_generation(w);
	*out = &s->base;
	return 0;
}
