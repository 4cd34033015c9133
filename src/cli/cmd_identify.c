/* Placeholder until the identify command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_identify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the identify command is not in this build yet");
	return 70;
}
