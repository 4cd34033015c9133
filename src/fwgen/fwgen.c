/* Placeholder until the generator lands: no image yet. */
#include "mtkbak/fwgen.h"
#include "mtkbak/errors.h"

int fwgen_demo(uint32_t flash_size, uint8_t **out, size_t *len)
{
	(void)flash_size;
	*out = NULL;
	*len = 0;
	return -ENOSYS;
}
