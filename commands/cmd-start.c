/*
 * cmd-start.c - `start`: start the pool, or a fresh one after a stop.
 *
 * After a stop the old pool is destroyed (its stop report is kept for
 * timeline) and a new one is created with the same settings, including
 * those changed since and those kept for the next start.
 */
#include "cmd.h"

static enum cmd_retval
start_exec(struct cmd_ctx *c)
{
	wp_pool *pool = cmd_pool(c);
	enum wp_pool_state st;
	uint64_t w = 0;
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	st = wp_pool_state(pool);
	if (st == WP_STATE_CREATED) {
		rc = wp_pool_start(pool);
		if (rc != 0)
			return cmd_error_wp(c, rc, "%s", "");
	} else if (st != WP_STATE_STOPPED && st != WP_STATE_FORCED) {
		return cmd_error(c, "the pool is %s: stop it first",
				 wp_pool_state_name(st));
	} else if (wp_pool_last_stop(pool) == NULL) {
		/* Signals alone stopped it: its threads still need the
		 * ordered stop before the pool can go. */
		return cmd_error(c, "the pool is %s but its ordered stop has "
				 "not run: run 'stop' first",
				 wp_pool_state_name(st));
	} else {
		rc = cmd_session_restart(c->s);
		if (rc != 0)
			return cmd_error_wp(c, rc, "%s", "");
	}
	pool = cmd_pool(c);
	wp_pool_get_option(pool, WP_OPT_WORKERS, &w);
	cmd_json_u64(cmd_reply(c), "workers", w);
	cmd_print(c, "%s pool started (%u workers)",
		  st == WP_STATE_CREATED ? "the" : "a fresh", (unsigned)w);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_start_entry = {
	.name = "start",
	.alias = {"restart", NULL},
	.group = "layers",
	.usage = "",
	.summary = "start the pool, or a fresh pool with the same settings "
		   "after a stop",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.flags = CMD_IDLE,
	.exec = start_exec,
};
