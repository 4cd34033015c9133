/* Placeholder until the extract command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_extract(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the extract command is not in this build yet");
	return 70;
}
