/* Placeholder until the list command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the list command is not in this build yet");
	return 70;
}
