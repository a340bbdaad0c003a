/*
 * cmd-quit.c - `quit`: stop the pool gracefully and end the session.
 */
#include "cmd.h"

static enum cmd_retval
quit_exec(struct cmd_ctx *c)
{
	wp_pool *pool = cmd_pool(c);
	enum cmd_retval rv = CMD_RETURN_NORMAL;

	cmd_jobs_kill_all(c->s);
	if (pool != NULL && wp_pool_state(pool) != WP_STATE_CREATED &&
	    wp_pool_last_stop(pool) == NULL)
		rv = cmd_stop_run(c, false, 0);
	atomic_store(&c->s->quit, true);
	return rv;
}

const struct cmd_entry cmd_quit_entry = {
	.name = "quit",
	.alias = {"exit", "q", NULL},
	.group = "scripts",
	.usage = "",
	.summary = "stop the pool gracefully (if it runs) and end the session",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.flags = CMD_LONG | CMD_PREEMPT,
	.exec = quit_exec,
};
