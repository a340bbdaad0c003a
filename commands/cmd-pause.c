/*
 * cmd-pause.c - `pause`: workers take no new task; submit still queues.
 */
#include "cmd.h"

static enum cmd_retval
pause_exec(struct cmd_ctx *c)
{
	wp_pool *pool = cmd_pool(c);
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = wp_pool_pause(pool);
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s", "");
	cmd_print(c, "paused: workers finish their task and take no new one; "
		     "submit still queues");
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_pause_entry = {
	.name = "pause",
	.group = "layers",
	.usage = "",
	.summary = "workers finish their current task and take no new one",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = pause_exec,
};
