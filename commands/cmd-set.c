/*
 * cmd-set.c - `set KEY VALUE`: change any setting of the wp_option table.
 */
#include "cmd.h"

static enum cmd_retval
set_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi;

	oi = cmd_option_lookup(c, c->args.argv[0]);
	if (oi == NULL)
		return CMD_RETURN_ERROR;
	return cmd_option_parse_set(c, oi, c->args.argv[1]);
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.group = "settings",
	.usage = "KEY VALUE",
	.summary = "change a setting (see config for the keys)",
	.help = "Values take the setting's unit: durations (250ms, 2s; "
		"idle-spin takes 200us),\nsizes (200MB), "
		"on/off, percentages (10%), or plain numbers.  A setting the "
		"pool\ncannot "
		"take now (set at create, or the pool is stopped) is kept "
		"for the\nnext start.",
	.example = "set health-error-rate 5%",
	.args = {2, 2, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_OPTION, NULL}},
	.exec = set_exec,
};
