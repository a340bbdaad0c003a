/*
 * cmd-get.c - `get KEY`: one setting's value.
 */
#include "cmd.h"

static enum cmd_retval
get_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi;

	oi = cmd_option_lookup(c, c->args.argv[0]);
	if (oi == NULL)
		return CMD_RETURN_ERROR;
	return cmd_option_show(c, oi);
}

const struct cmd_entry cmd_get_entry = {
	.name = "get",
	.group = "settings",
	.usage = "KEY",
	.summary = "show one setting",
	.example = "get task-timeout",
	.args = {1, 1, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_OPTION, NULL}},
	.exec = get_exec,
};
