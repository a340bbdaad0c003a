/*
 * cmd-stop-monitor.c - `stop-monitor`: the L2 signal of the monitor.
 */
#include "cmd.h"

static enum cmd_retval
stop_monitor_exec(struct cmd_ctx *c)
{
	return cmd_fire(c, WP_SIG_STOP_MONITOR,
			"the monitor stops its ticker and exits; published "
			"metrics stop changing");
}

const struct cmd_entry cmd_stop_monitor_entry = {
	.name = "stop-monitor",
	.group = "layers",
	.usage = "",
	.summary = "L2: stop the monitor (its own stop signal)",
	.help = "Its last snapshot stays published (metrics --published); "
		"work goes on.",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = stop_monitor_exec,
};
