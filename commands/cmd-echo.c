/*
 * cmd-echo.c - `echo TEXT`: print a line (scripts, demos).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static enum cmd_retval
echo_exec(struct cmd_ctx *c)
{
	size_t len = 1;
	char *text;
	int i;

	for (i = 0; i < c->args.argc; i++)
		len += strlen(c->args.argv[i]) + 1;
	text = calloc(1, len);
	if (text == NULL)
		return cmd_error(c, "out of memory");
	for (i = 0; i < c->args.argc; i++) {
		if (i > 0)
			strcat(text, " ");
		strcat(text, c->args.argv[i]);
	}
	cmd_print(c, "%s", text);
	free(text);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_echo_entry = {
	.name = "echo",
	.group = "scripts",
	.usage = "[--] TEXT",
	.summary = "print TEXT ('--' first if it starts with '--')",
	.example = "echo -- --- the stop, layer by layer ---",
	.args = {0, -1, {{NULL, 0, NULL}}},
	.exec = echo_exec,
};
