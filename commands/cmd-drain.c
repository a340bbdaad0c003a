/*
 * cmd-drain.c - `drain [D]`: let queued work finish, then stop.
 */
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
drain_exec(struct cmd_ctx *c)
{
	char err[160];
	uint64_t ms = 0;

	if (c->args.argc == 1 &&
	    cmd_parse_duration(c->args.argv[0], false, &ms, err,
			       sizeof err) != 0)
		return cmd_usage(c, "%s", err);
	return cmd_stop_run(c, true, ms);
}

static enum cmd_retval
drain_prepare(struct cmd_ctx *c)
{
	char err[160];
	uint64_t ms;

	if (c->args.argc == 1 &&
	    cmd_parse_duration(c->args.argv[0], false, &ms, err,
			       sizeof err) != 0)
		return cmd_usage(c, "%s", err);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_drain_entry = {
	.name = "drain",
	.group = "layers",
	.usage = "[D]",
	.summary = "close the task queue, let queued work finish for up to D "
		   "(the stop bound), then stop",
	.help = "Unlike stop, queued tasks run instead of being cancelled; "
		"whatever is\n"
		"still queued after D is cancelled by the ordered stop.",
	.example = "drain 5s",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.flags = CMD_LONG | CMD_PREEMPT,
	.prepare = drain_prepare,
	.exec = drain_exec,
};
