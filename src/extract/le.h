/* Little-endian field access for file formats (every multi-byte field in a dump is LE). */
#ifndef MTKBAK_EXTRACT_LE_H
#define MTKBAK_EXTRACT_LE_H

#include <stdint.h>

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

#endif
