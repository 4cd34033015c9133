/* Placeholder until the check command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the check command is not in this build yet");
	return 70;
}
