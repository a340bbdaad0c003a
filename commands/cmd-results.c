/*
 * cmd-results.c - `results [N]`: the session's ring of recent results.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

#define RESULTS_DEFAULT 10
#define RESULTS_MAX 4096

static enum cmd_retval
results_exec(struct cmd_ctx *c)
{
	struct cmd_json *j = cmd_reply(c);
	struct wp_result *r;
	uint64_t n = RESULTS_DEFAULT;
	char err[160], q[32], run[32], flags[32];
	size_t got, i;

	if (c->args.argc == 1 &&
	    cmd_parse_u64(c->args.argv[0], RESULTS_MAX, &n, err,
			  sizeof err) != 0)
		return cmd_usage(c, "%s", err);
	r = calloc(n ? n : 1, sizeof *r);
	if (r == NULL)
		return cmd_error(c, "out of memory");
	got = cmd_session_results(c->s, r, n);
	cmd_json_arr_open(j, "results");
	for (i = 0; i < got; i++) {
		cmd_json_obj_open(j, NULL);
		cmd_json_u64(j, "id", r[i].id);
		cmd_json_str(j, "outcome", wp_outcome_name(r[i].outcome));
		cmd_json_i64(j, "code", r[i].code);
		cmd_json_str(j, "kind", r[i].kind);
		cmd_json_i64(j, "priority", r[i].priority);
		cmd_json_i64(j, "worker", r[i].worker);
		cmd_json_bool(j, "panicked", r[i].panicked);
		cmd_json_bool(j, "crashed", r[i].crashed);
		cmd_json_bool(j, "never_ran", r[i].never_ran);
		cmd_json_dbl(j, "queued_ms", (double)r[i].queued_ns / 1e6);
		cmd_json_dbl(j, "run_ms", (double)r[i].run_ns / 1e6);
		cmd_json_str(j, "msg", r[i].msg);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	if (got == 0) {
		cmd_print(c, "no results yet");
		free(r);
		return CMD_RETURN_NORMAL;
	}
	cmd_print(c, "%8s %-10s %-8s %2s %4s %10s %10s  %s", "ID", "OUTCOME",
		  "KIND", "P", "W", "QUEUED", "RAN", "MESSAGE");
	for (i = 0; i < got; i++) {
		/* The pool's message already says "panic:" or "crash:". */
		snprintf(flags, sizeof flags, "%s",
			 r[i].never_ran ? "never-ran " : "");
		cmd_print(c, "%8" PRIu64 " %-10s %-8.8s %2d %4d %10s %10s  "
			  "%s%s",
			  r[i].id, wp_outcome_name(r[i].outcome), r[i].kind,
			  r[i].priority, r[i].worker,
			  cmd_fmt_ns(r[i].queued_ns, q, sizeof q),
			  cmd_fmt_ns(r[i].run_ns, run, sizeof run), flags,
			  r[i].msg);
	}
	free(r);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_results_entry = {
	.name = "results",
	.group = "looking",
	.usage = "[N]",
	.summary = "the last N results (10) the result handler delivered",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.exec = results_exec,
};
