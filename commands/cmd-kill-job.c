/*
 * cmd-kill-job.c - `kill-job ID|all`: end background submission jobs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static enum cmd_retval
kill_job_exec(struct cmd_ctx *c)
{
	char err[160];
	uint64_t id;
	int rc;

	if (strcmp(c->args.argv[0], "all") == 0) {
		cmd_jobs_kill_all(c->s);
		cmd_print(c, "all jobs ended");
		return CMD_RETURN_NORMAL;
	}
	if (cmd_parse_u64(c->args.argv[0], UINT32_MAX, &id, err,
			  sizeof err) != 0)
		return cmd_usage(c, "job id %s", err);
	rc = cmd_job_kill(c->s, (unsigned)id);
	if (rc == WP_ENOENT)
		return cmd_error(c, "no job %" PRIu64 " (see 'jobs')", id);
	cmd_print(c, "job %" PRIu64 " ended", id);
	cmd_json_u64(cmd_reply(c), "job", id);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_kill_job_entry = {
	.name = "kill-job",
	.alias = {"kill", NULL},
	.group = "work",
	.usage = "ID|all",
	.summary = "end a background job (or all of them)",
	.example = "kill-job 1",
	.args = {1, 1, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_JOB, NULL}},
	.exec = kill_job_exec,
};
