/* --port SPEC parsing and device opening (see include/mtkbak/port.h). */
#include "mtkbak/port.h"
#include "mtkbak/errors.h"

#include <stdio.h>
#include <string.h>

int port_spec_parse(const char *text, struct port_spec *out, char *err, size_t errlen)
{
	const char *arg = "";

	memset(out, 0, sizeof(*out));
	if (!strcmp(text, "auto")) {
		out->kind = PORT_AUTO;
	} else if (!strcmp(text, "usb")) {
		out->kind = PORT_USB;
	} else if (!strncmp(text, "usb:", 4)) {
		out->kind = PORT_USB;
		arg = text + 4;
	} else if (!strncmp(text, "serial:", 7)) {
		out->kind = PORT_SERIAL;
		arg = text + 7;
	} else if (!strncmp(text, "sim:", 4)) {
		out->kind = PORT_SIM;
		arg = text + 4;
	} else {
		snprintf(err, errlen, "unknown port kind");
		return -EINVAL;
	}
	if (strlen(arg) >= sizeof(out->arg)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	if ((out->kind == PORT_SERIAL || out->kind == PORT_SIM) && !*arg) {
		snprintf(err, errlen, "%s needs a value", out->kind == PORT_SIM ? "sim:" : "serial:");
		return -EINVAL;
	}
	strcpy(out->arg, arg);
	return 0;
}
