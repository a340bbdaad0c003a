/*
 * cmd-cancel.c - `cancel`: the L1 system signal (the root context).
 */
#include "cmd.h"

static enum cmd_retval
cancel_exec(struct cmd_ctx *c)
{
	return cmd_fire(c, WP_SIG_CANCEL,
			"every running task's context is done; every thread "
			"sees it");
}

const struct cmd_entry cmd_cancel_entry = {
	.name = "cancel",
	.group = "layers",
	.usage = "",
	.summary = "L1: cancel the root context (the system signal)",
	.help = "Running context-aware tasks (sleep, spin, mix) see their "
		"context done and\n"
		"end at once; hang ignores it.  Queued tasks are cancelled, "
		"workers exit after\n"
		"their task, the monitor and health checker exit, and "
		"admission closes.\n"
		"stop fires it too, after the L2 signals, as the safety net.",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = cancel_exec,
};
