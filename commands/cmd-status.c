/*
 * cmd-status.c - `status`: the pool in a few lines.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
status_exec(struct cmd_ctx *c)
{
	struct cmd_job_info jobs[16];
	struct cmd_json *j = cmd_reply(c);
	struct wp_metrics m;
	struct wp_health h;
	wp_pool *pool = cmd_pool(c);
	char up[32];
	size_t njobs;
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = wp_pool_metrics(pool, &m);
	if (rc != 0)
		return cmd_error_wp(c, rc, "metrics");
	rc = wp_pool_health(pool, &h);
	if (rc != 0)
		return cmd_error_wp(c, rc, "health");
	njobs = cmd_session_jobs(c->s, jobs, 16);

	cmd_json_str(j, "state", wp_pool_state_name(m.state));
	cmd_json_bool(j, "healthy", h.healthy);
	cmd_json_u64(j, "failing", h.nfailing);
	cmd_json_u64(j, "workers", m.workers);
	cmd_json_u64(j, "workers_alive", m.workers_alive);
	cmd_json_u64(j, "workers_busy", m.workers_busy);
	cmd_json_u64(j, "orphans", m.orphans);
	cmd_json_u64(j, "queued", m.task_queued);
	cmd_json_u64(j, "in_flight", m.in_flight);
	cmd_json_u64(j, "submitted", m.submitted);
	cmd_json_u64(j, "completed", m.completed);
	cmd_json_u64(j, "failed", m.failed);
	cmd_json_u64(j, "timed_out", m.timed_out);
	cmd_json_u64(j, "cancelled", m.cancelled);
	cmd_json_u64(j, "rejected", m.rejected);
	cmd_json_dbl(j, "uptime_ms", (double)m.uptime_ns / 1e6);
	cmd_json_u64(j, "jobs", njobs);

	cmd_print(c, "pool %s, up %s, %s", wp_pool_state_name(m.state),
		  cmd_fmt_ns(m.uptime_ns, up, sizeof up),
		  h.healthy ? "healthy" : "UNHEALTHY");
	cmd_print(c, "workers %u (%u alive, %u busy), orphans %u/%u",
		  m.workers, m.workers_alive, m.workers_busy, m.orphans,
		  m.orphan_cap);
	cmd_print(c, "tasks: %" PRIu64 " submitted, %" PRIu64 " completed, %"
		  PRIu64 " failed, %" PRIu64 " timed out, %" PRIu64
		  " cancelled, %" PRIu64 " rejected",
		  m.submitted, m.completed, m.failed, m.timed_out,
		  m.cancelled, m.rejected);
	cmd_print(c, "queue %u/%u, in flight %" PRIu64 ", results %u/%u, "
		  "errors %u/%u",
		  m.task_queued, m.task_cap, m.in_flight, m.result_queued,
		  m.result_cap, m.error_queued, m.error_cap);
	if (njobs > 0)
		cmd_print(c, "jobs: %zu running (see jobs)", njobs);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.alias = {"st", NULL},
	.group = "looking",
	.usage = "",
	.summary = "the pool in a few lines: state, workers, tasks, queues",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = status_exec,
};
