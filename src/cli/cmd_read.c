/* Placeholder until the read command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_read(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the read command is not in this build yet");
	return 70;
}
