/*
 * cmd-jobs.c - `jobs`: the background submission streams.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

#define JOBS_MAX 64

static int
by_id(const void *a, const void *b)
{
	const struct cmd_job_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static enum cmd_retval
jobs_exec(struct cmd_ctx *c)
{
	struct cmd_job_info jobs[JOBS_MAX];
	struct cmd_json *j = cmd_reply(c);
	char rate[32], age[32];
	size_t n, i;

	n = cmd_session_jobs(c->s, jobs, JOBS_MAX);
	qsort(jobs, n, sizeof jobs[0], by_id);
	cmd_json_arr_open(j, "jobs");
	for (i = 0; i < n; i++) {
		cmd_json_obj_open(j, NULL);
		cmd_json_u64(j, "id", jobs[i].id);
		cmd_json_str(j, "spec", jobs[i].spec);
		cmd_json_u64(j, "submitted", jobs[i].submitted);
		cmd_json_u64(j, "rejected", jobs[i].rejected);
		cmd_json_u64(j, "limit", jobs[i].limit);
		cmd_json_dbl(j, "rate", jobs[i].rate);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	if (n == 0) {
		cmd_print(c, "no jobs");
		return CMD_RETURN_NORMAL;
	}
	cmd_print(c, "%4s  %-32s %10s %9s %9s %8s", "ID", "SPEC", "RATE",
		  "SUBMITTED", "REJECTED", "AGE");
	for (i = 0; i < n; i++) {
		if (jobs[i].rate > 0)
			snprintf(rate, sizeof rate, "%g/s", jobs[i].rate);
		else
			snprintf(rate, sizeof rate, "continuous");
		cmd_fmt_ns(cmd_now_ns() - jobs[i].started_ns, age, sizeof age);
		cmd_print(c, "%4u  %-32s %10s %9" PRIu64 " %9" PRIu64 " %8s",
			  jobs[i].id, jobs[i].spec, rate, jobs[i].submitted,
			  jobs[i].rejected, age);
	}
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.group = "work",
	.usage = "",
	.summary = "list the background submission jobs (submit --rate, "
		   "the demo)",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = jobs_exec,
};
