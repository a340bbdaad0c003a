/*
 * cmd-workers.c - `workers`: every worker slot, then orphan threads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

static enum cmd_retval
workers_exec(struct cmd_ctx *c)
{
	struct cmd_json *j = cmd_reply(c);
	struct wp_worker_info *w;
	wp_pool *pool = cmd_pool(c);
	char run[32], to[32], slot[16], task[32];
	size_t n = 0, cap = 64, i;
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	/* The count can grow between two calls: retry with what it said. */
	for (;;) {
		w = calloc(cap, sizeof *w);
		if (w == NULL)
			return cmd_error(c, "out of memory");
		rc = wp_pool_workers(pool, w, cap, &n);
		if (rc != 0) {
			free(w);
			return cmd_error_wp(c, rc, "%s", "");
		}
		if (n <= cap)
			break;
		free(w);
		cap = n + 16;
	}
	cmd_json_arr_open(j, "workers");
	for (i = 0; i < n; i++) {
		cmd_json_obj_open(j, NULL);
		cmd_json_i64(j, "slot", w[i].slot);
		cmd_json_str(j, "name", w[i].name);
		cmd_json_str(j, "state", wp_worker_state_name(w[i].state));
		cmd_json_bool(j, "orphan", w[i].orphan);
		cmd_json_u64(j, "task", w[i].task_id);
		cmd_json_str(j, "kind", w[i].kind);
		cmd_json_dbl(j, "running_ms", (double)w[i].running_ns / 1e6);
		cmd_json_dbl(j, "timeout_ms", (double)w[i].timeout_ns / 1e6);
		cmd_json_u64(j, "done", w[i].tasks_done);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_print(c, "%-5s %-15s %-9s %-10s %-12s %10s %10s %8s", "SLOT",
		  "THREAD", "STATE", "TASK", "KIND", "RUNNING", "DEADLINE",
		  "DONE");
	for (i = 0; i < n; i++) {
		if (w[i].orphan)
			snprintf(slot, sizeof slot, "-");
		else
			snprintf(slot, sizeof slot, "%d", w[i].slot);
		if (w[i].task_id != 0) {
			snprintf(task, sizeof task, "%" PRIu64, w[i].task_id);
			cmd_fmt_ns(w[i].running_ns, run, sizeof run);
		} else {
			snprintf(task, sizeof task, "-");
			snprintf(run, sizeof run, "-");
		}
		if (w[i].timeout_ns > 0)
			cmd_fmt_ns(w[i].timeout_ns, to, sizeof to);
		else
			snprintf(to, sizeof to, "-");
		cmd_print(c, "%-5s %-15s %-9s %-10s %-12s %10s %10s %8" PRIu64,
			  slot, w[i].name[0] ? w[i].name : "-",
			  w[i].orphan ? "orphan"
				      : wp_worker_state_name(w[i].state),
			  task, w[i].kind[0] ? w[i].kind : "-", run, to,
			  w[i].tasks_done);
	}
	free(w);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_workers_entry = {
	.name = "workers",
	.alias = {"w", NULL},
	.group = "looking",
	.usage = "",
	.summary = "every worker slot and orphan thread: state, task, run "
		   "time",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = workers_exec,
};
