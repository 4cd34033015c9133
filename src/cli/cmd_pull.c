/* Placeholder until the pull command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_pull(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the pull command is not in this build yet");
	return 70;
}
