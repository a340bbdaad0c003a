/*
 * cmd-stop.c - `stop`: the ordered stop (S1.2), bounded, with progress.
 */
#include "cmd.h"

static enum cmd_retval
stop_exec(struct cmd_ctx *c)
{
	return cmd_stop_run(c, false, 0);
}

const struct cmd_entry cmd_stop_entry = {
	.name = "stop",
	.group = "layers",
	.usage = "",
	.summary = "the ordered stop: close, L2 signals, cancel, wait "
		   "(bounded), close queues",
	.help = "Runs once: admission closes, the business shutdown, monitor "
		"and health\n"
		"signals fire, the root context is cancelled, threads are "
		"waited for up to\n"
		"stop-timeout (then the stop is forced and the threads left "
		"behind are named),\n"
		"and the queues close.  Progress shows while it waits; "
		"timeline shows the\n"
		"phases.  A forced stop makes wpool exit with 3.",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.flags = CMD_LONG | CMD_PREEMPT,
	.exec = stop_exec,
};
