/*
 * cmd-stop-timeout.c - `stop-timeout [D]`: the bound of the ordered stop.
 */
#include "cmd.h"

static enum cmd_retval
stop_timeout_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi = wp_option_info(WP_OPT_STOP_TIMEOUT_MS);

	if (c->args.argc == 0)
		return cmd_option_show(c, oi);
	return cmd_option_parse_set(c, oi, c->args.argv[0]);
}

const struct cmd_entry cmd_stop_timeout_entry = {
	.name = "stop-timeout",
	.group = "settings",
	.usage = "[D]",
	.summary = "show or set how long stop waits for threads before it "
		   "forces",
	.example = "stop-timeout 2s",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_WORDS, "1s 2s 5s 10s"}},
	.exec = stop_timeout_exec,
};
