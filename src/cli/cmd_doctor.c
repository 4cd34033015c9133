/* Placeholder until the doctor command lands (owned by its issue's work). */
#include "commands.h"
#include "ux.h"

int cmd_doctor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ux_error("the doctor command is not in this build yet");
	return 70;
}
