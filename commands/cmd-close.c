/*
 * cmd-close.c - `close tasks|results|errors`: the L3 queue signals.
 */
#include <string.h>

#include "cmd.h"

static enum cmd_retval
close_exec(struct cmd_ctx *c)
{
	const char *what = c->args.argv[0];
	char q[64], sug[160];
	static const char *const names[] = {"tasks", "results", "errors"};

	if (strcmp(what, "tasks") == 0)
		return cmd_fire(c, WP_SIG_CLOSE_TASKS,
				"submit refuses; workers finish what is "
				"queued, then exit");
	if (strcmp(what, "results") == 0)
		return cmd_fire(c, WP_SIG_CLOSE_RESULTS,
				"the result handler drains and exits; later "
				"results are delivered directly");
	if (strcmp(what, "errors") == 0)
		return cmd_fire(c, WP_SIG_CLOSE_ERRORS,
				"the error handler drains and exits");
	cmd_suggest(what, names, 3, sug, sizeof sug);
	return cmd_usage(c, "no queue '%s'%s (tasks, results or errors)",
			 cmd_quote(what, q, sizeof q), sug);
}

const struct cmd_entry cmd_close_entry = {
	.name = "close",
	.group = "layers",
	.usage = "tasks|results|errors",
	.summary = "L3: close the task, result or error queue",
	.help = "tasks: submit refuses; workers run the queue dry, then "
		"exit.\n"
		"results: the result handler drains and exits; later results "
		"are delivered\n"
		"directly.  errors: the error handler drains and exits; later "
		"entries are\n"
		"dropped and counted.",
	.example = "close tasks",
	.args = {1, 1, {{NULL, 0, NULL}}},
	.complete = {{CMD_COMP_WORDS, "tasks results errors"}},
	.exec = close_exec,
};
