/*
 * cmd-wait.c - `wait idle|stopped`: wait for a condition, with progress.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define WAIT_DEFAULT_MS 30000
#define WAIT_SLICE_MS 100
#define WAIT_PROGRESS_NS 1000000000ll

static const char *const what_names[] = {"idle", "stopped"};

static enum cmd_retval
wait_prepare(struct cmd_ctx *c)
{
	char q[64], sug[160];
	const char *w = c->args.argv[0];

	if (strcmp(w, "idle") == 0 || strcmp(w, "stopped") == 0)
		return CMD_RETURN_NORMAL;
	cmd_suggest(w, what_names, 2, sug, sizeof sug);
	return cmd_usage(c, "cannot wait for '%s'%s (idle or stopped)",
			 cmd_quote(w, q, sizeof q), sug);
}

static bool
is_stopped(wp_pool *pool)
{
	enum wp_pool_state st = wp_pool_state(pool);

	return st == WP_STATE_STOPPED || st == WP_STATE_FORCED;
}

static void
progress(struct cmd_ctx *c, wp_pool *pool, bool idle, int64_t waited)
{
	struct wp_metrics m;
	char t[32];

	if (wp_pool_metrics(pool, &m) != 0)
		return;
	cmd_fmt_ns(waited, t, sizeof t);
	if (idle)
		cmd_progress(c, "waiting for idle: %u queued, %u running, %"
			     PRIu64 " in flight (%s)",
			     m.task_queued, m.workers_busy, m.in_flight, t);
	else
		cmd_progress(c, "waiting for stopped: the pool is %s (%s)",
			     wp_pool_state_name(m.state), t);
}

static enum cmd_retval
wait_exec(struct cmd_ctx *c)
{
	bool idle = strcmp(c->args.argv[0], "idle") == 0;
	uint64_t limit = cmd_args_u64(c, "timeout", WAIT_DEFAULT_MS);
	int64_t start = cmd_now_ns(), next = start + WAIT_PROGRESS_NS, now;
	wp_pool *pool = cmd_pool(c);
	struct wp_metrics m;
	char t[32], l[32];
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	for (;;) {
		if (idle) {
			rc = wp_pool_wait_idle(pool, WAIT_SLICE_MS);
			if (rc == 0)
				break;
			if (rc != WP_ETIMEDOUT)
				return cmd_error_wp(c, rc, "%s", "");
		} else {
			if (is_stopped(pool))
				break;
			if (cmd_session_sleep(c->s, 20))
				goto interrupted;
		}
		now = cmd_now_ns();
		if (cmd_interrupted(c->s))
			goto interrupted;
		if ((uint64_t)(now - start) / 1000000 >= limit) {
			wp_pool_metrics(pool, &m);
			if (idle)
				return cmd_error(
					c, "not idle after %s: %u queued, %u "
					"running, %" PRIu64 " in flight%s",
					cmd_fmt_ms(limit, l, sizeof l),
					m.task_queued, m.workers_busy,
					m.in_flight,
					m.state == WP_STATE_PAUSED
						? " (the pool is paused)"
						: "");
			return cmd_error(c, "not stopped after %s: the pool is "
					 "%s",
					 cmd_fmt_ms(limit, l, sizeof l),
					 wp_pool_state_name(m.state));
		}
		if (now >= next) {
			progress(c, pool, idle, now - start);
			next = now + WAIT_PROGRESS_NS;
		}
	}
	cmd_fmt_ns(cmd_now_ns() - start, t, sizeof t);
	cmd_json_dbl(cmd_reply(c), "waited_ms",
		     (double)(cmd_now_ns() - start) / 1e6);
	cmd_print(c, "%s (waited %s)", idle ? "idle" : "stopped", t);
	return CMD_RETURN_NORMAL;
interrupted:
	cmd_fmt_ns(cmd_now_ns() - start, t, sizeof t);
	cmd_json_bool(cmd_reply(c), "interrupted", true);
	cmd_print(c, "wait interrupted after %s", t);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.group = "scripts",
	.usage = "idle|stopped [--timeout D]",
	.summary = "wait until no task is queued or running, or the pool has "
		   "stopped",
	.help = "Fails when the condition does not hold within --timeout "
		"(30s).  Shows\n"
		"progress every second; an interrupt ends it early (not a "
		"failure).",
	.example = "wait idle --timeout 10s",
	.args = {1, 1,
		 {{"timeout", CMD_ARG_DURATION, "give up after D (30s)"},
		  {NULL, 0, NULL}}},
	.complete = {{CMD_COMP_WORDS, "idle stopped"}},
	.flags = CMD_LONG,
	.prepare = wait_prepare,
	.exec = wait_exec,
};
