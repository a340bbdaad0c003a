/*
 * cmd-timeout.c - `timeout [D|off]`: the pool's default per-task deadline.
 *
 * With a deadline, tasks run behind the hand-off (S3): at the deadline the
 * worker records a timeout and moves on; off runs tasks directly.
 */
#include "cmd.h"

static enum cmd_retval
timeout_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi = wp_option_info(WP_OPT_TASK_TIMEOUT_MS);

	if (c->args.argc == 0)
		return cmd_option_show(c, oi);
	return cmd_option_parse_set(c, oi, c->args.argv[0]);
}

const struct cmd_entry cmd_timeout_entry = {
	.name = "timeout",
	.group = "settings",
	.usage = "[D|off]",
	.summary = "show or set the default task deadline (off: tasks run "
		   "directly)",
	.example = "timeout 500ms",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_WORDS, "off 100ms 500ms 1s 5s"}},
	.exec = timeout_exec,
};
