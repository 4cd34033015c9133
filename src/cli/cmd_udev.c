/* Placeholder until the udev command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_udev(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the udev command is not in this build yet");
	return 70;
}
