/*
 * cmd-sleep.c - `sleep D`: pause a script (an interrupt ends it early).
 */
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
sleep_prepare(struct cmd_ctx *c)
{
	char err[160];
	uint64_t ms;

	if (cmd_parse_duration(c->args.argv[0], false, &ms, err,
			       sizeof err) != 0)
		return cmd_usage(c, "%s", err);
	return CMD_RETURN_NORMAL;
}

static enum cmd_retval
sleep_exec(struct cmd_ctx *c)
{
	char err[160];
	uint64_t ms = 0;

	cmd_parse_duration(c->args.argv[0], false, &ms, err, sizeof err);
	if (cmd_session_sleep(c->s, ms)) {
		cmd_json_bool(cmd_reply(c), "interrupted", true);
		cmd_print(c, "sleep interrupted");
	}
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_sleep_entry = {
	.name = "sleep",
	.group = "scripts",
	.usage = "D",
	.summary = "pause for D (scripts)",
	.example = "sleep 250ms",
	.args = {1, 1, {{NULL, 0, NULL}}},
	.flags = CMD_LONG,
	.prepare = sleep_prepare,
	.exec = sleep_exec,
};
