/* Placeholder until the agent's protocol core lands. */
#include <errno.h>

#include "../agent_hal.h"

int agent_main(const struct agent_hal *hal)
{
	(void)hal;
	return -ENOSYS;
}
