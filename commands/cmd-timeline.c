/*
 * cmd-timeline.c - `timeline`: the last stop, phase by phase.
 */
#include "cmd.h"

static enum cmd_retval
timeline_exec(struct cmd_ctx *c)
{
	const struct wp_stop_report *r = cmd_session_last_stop(c->s);

	if (r == NULL)
		return cmd_error(c, "no stop has finished yet (run 'stop' or "
				 "'drain')");
	cmd_report_timeline(c, r);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_timeline_entry = {
	.name = "timeline",
	.alias = {"tl", NULL},
	.group = "looking",
	.usage = "",
	.summary = "the last stop phase by phase, and the threads it left",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = timeline_exec,
};
