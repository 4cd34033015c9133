/* Host side of mtkbak's own download agent (wire format: src/da/agent/core/protocol.h,
 * shared with the agent and the simulator). Owned by the readback work; signatures may grow. */
#ifndef MTKBAK_DA_H
#define MTKBAK_DA_H

#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"

struct da {
	struct brom *brom;
	const struct mtk_log *log;
	uint32_t version;
	int timeout_ms;
};

struct da_flash_info {
	uint8_t jedec[3];
	uint32_t jedec_size;  /* 2^capacity byte, 0 if implausible */
	uint32_t sfdp_size;   /* from SFDP density, 0 if no SFDP */
};

/* Uploads the embedded agent with D7 to the chip's load address, starts it with D5 and syncs. */
int da_start(struct da *d, struct brom *b, const struct chip_info *chip);
int da_flash_info(struct da *d, struct da_flash_info *fi);
/* Streams [off, off+len) through sink in large CRC-checked packets; a bad packet is
 * re-requested (bounded). The sink returns 0 or a negative code to stop. */
typedef int (*da_sink_fn)(void *ctx, uint32_t off, const uint8_t *data, size_t len);
int da_read(struct da *d, uint32_t off, uint32_t len, da_sink_fn sink, void *ctx);
int da_crc32(struct da *d, uint32_t off, uint32_t len, uint32_t *crc);
int da_reboot(struct da *d);

#endif
