/*
 * cmd-kinds.c - `kinds`: the task kinds submit knows.
 */
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
kinds_exec(struct cmd_ctx *c)
{
	const char *names[64];
	const struct cmd_kind *k;
	struct cmd_json *j = cmd_reply(c);
	size_t n, i;

	n = cmd_kind_names(c->s, names, 64);
	cmd_json_arr_open(j, "kinds");
	for (i = 0; i < n; i++) {
		k = cmd_kind_find(c->s, names[i]);
		if (k == NULL)
			continue;
		cmd_print(c, "%-12s %s", k->usage ? k->usage : k->name,
			  k->help);
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name", k->name);
		cmd_json_str(j, "usage", k->usage ? k->usage : k->name);
		cmd_json_str(j, "help", k->help);
		cmd_json_bool(j, "builtin", k->builtin);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_kinds_entry = {
	.name = "kinds",
	.group = "work",
	.usage = "",
	.summary = "list the task kinds (built-in and registered)",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = kinds_exec,
};
