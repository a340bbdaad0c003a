/*
 * cmd-shutdown.c - `shutdown`: the L2 business shutdown of the workers.
 */
#include "cmd.h"

static enum cmd_retval
shutdown_exec(struct cmd_ctx *c)
{
	return cmd_fire(c, WP_SIG_SHUTDOWN,
			"workers take no new task and exit; queued tasks "
			"are cancelled");
}

const struct cmd_entry cmd_shutdown_entry = {
	.name = "shutdown",
	.group = "layers",
	.usage = "",
	.summary = "L2: the workers' business shutdown signal",
	.help = "Running tasks finish (they are not cancelled); queued tasks "
		"are cancelled;\n"
		"the workers exit and admission closes.  The monitor and "
		"health checker\n"
		"keep running (they have their own signals).",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = shutdown_exec,
};
