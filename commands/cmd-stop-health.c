/*
 * cmd-stop-health.c - `stop-health`: the L2 signal of the health checker.
 */
#include "cmd.h"

static enum cmd_retval
stop_health_exec(struct cmd_ctx *c)
{
	return cmd_fire(c, WP_SIG_STOP_HEALTH,
			"the health checker exits; published health stops "
			"changing");
}

const struct cmd_entry cmd_stop_health_entry = {
	.name = "stop-health",
	.group = "layers",
	.usage = "",
	.summary = "L2: stop the health checker (its own stop signal)",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = stop_health_exec,
};
