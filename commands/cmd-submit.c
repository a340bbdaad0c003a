/*
 * cmd-submit.c - `submit [N] KIND [ARGS]`: hand tasks to the pool.
 *
 * N tasks of a kind (kinds.c) go in now, waiting for room in the task
 * queue up to --wait (the blocking submit; --nowait refuses when full), or,
 * with --rate, a background job (jobs.c) submits them at that pace; a rate
 * job without N runs until kill-job or the pool closes.  Everything about
 * the words is checked in prepare(), before anything is submitted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define SUBMIT_MAX 1000000
#define SUBMIT_WAIT_MS 30000
#define SUBMIT_IDS_MAX 64

struct submit_data {
	uint64_t count;
	bool count_given;
	struct cmd_job_spec spec;
};

static void
submit_data_free(void *p)
{
	struct submit_data *d = p;

	free(d->spec.text_arg);
	free(d);
}

static bool
is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static enum cmd_retval
unknown_kind(struct cmd_ctx *c, const char *name)
{
	const char *names[64];
	char q[64], sug[160], list[256];
	size_t n, i, o = 0;

	n = cmd_kind_names(c->s, names, 64);
	cmd_suggest(name, names, n, sug, sizeof sug);
	list[0] = '\0';
	for (i = 0; i < n && o < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
				      i ? ", " : "", names[i]);
	return cmd_usage(c, "unknown kind '%s'%s (kinds: %s)",
			 cmd_quote(name, q, sizeof q), sug, list);
}

/* "sleep 100ms x50 @20/s" */
static void
describe(struct submit_data *d, const char *const *argv, int argc)
{
	size_t o = 0, len = sizeof d->spec.spec;
	char *b = d->spec.spec;
	int i;

	o += (size_t)snprintf(b + o, len - o, "%s", d->spec.kind->name);
	for (i = 0; i < argc && o < len; i++)
		o += (size_t)snprintf(b + o, len - o, " %s", argv[i]);
	if (o < len && d->count_given)
		o += (size_t)snprintf(b + o, len - o, " x%" PRIu64, d->count);
	if (o < len && d->spec.rate > 0)
		snprintf(b + o, len - o, " @%g/s", d->spec.rate);
}

static enum cmd_retval
submit_prepare(struct cmd_ctx *c)
{
	const char *const *argv = c->args.argv;
	int argc = c->args.argc, i = 0, k;
	struct submit_data *d;
	char err[160];
	size_t len = 0;
	void *arg = NULL;

	d = calloc(1, sizeof *d);
	if (d == NULL)
		return cmd_error(c, "out of memory");
	c->data = d;
	c->data_free = submit_data_free;
	d->count = 1;
	if (argc > 0 && is_number(argv[0])) {
		if (cmd_parse_u64(argv[0], SUBMIT_MAX, &d->count, err,
				  sizeof err) != 0)
			return cmd_usage(c, "count %s", err);
		if (d->count == 0)
			return cmd_usage(c, "count must be at least 1");
		d->count_given = true;
		i = 1;
	} else if (argc > 0 && argv[0][0] == '-' && is_number(argv[0] + 1)) {
		return cmd_usage(c, "count '%s' is negative", argv[0]);
	}
	if (i >= argc)
		return cmd_usage(c, "missing KIND (try 'kinds')");
	d->spec.kind = cmd_kind_find(c->s, argv[i]);
	if (d->spec.kind == NULL)
		return unknown_kind(c, argv[i]);
	if (d->spec.kind->builtin) {
		if (d->spec.kind->prepare(c, argv + i + 1, argc - i - 1,
					  &arg) != 0)
			return CMD_RETURN_ERROR;
		d->spec.arg = arg;
	} else if (argc - i - 1 > 0) {
		for (k = i + 1; k < argc; k++)
			len += strlen(argv[k]) + 1;
		d->spec.text_arg = calloc(1, len + 1);
		if (d->spec.text_arg == NULL)
			return cmd_error(c, "out of memory");
		for (k = i + 1; k < argc; k++) {
			if (k > i + 1)
				strcat(d->spec.text_arg, " ");
			strcat(d->spec.text_arg, argv[k]);
		}
	}
	wp_task_opts_init(&d->spec.opts);
	d->spec.opts.kind = d->spec.kind->name;
	if (cmd_args_has(c, "priority")) {
		d->spec.opts.priority = (int)cmd_args_u64(c, "priority", 0);
		d->spec.prio_set = true;
	}
	if (cmd_args_has(c, "timeout"))
		d->spec.opts.timeout_ms = cmd_args_u64(c, "timeout", 0);
	if (cmd_args_has(c, "rate")) {
		if (cmd_args_has(c, "nowait") || cmd_args_has(c, "wait"))
			return cmd_usage(c, "--rate jobs never wait; drop "
					 "--wait/--nowait");
		d->spec.rate = cmd_args_dbl(c, "rate", 1);
		d->spec.limit = d->count_given ? d->count : 0;
	}
	describe(d, argv + i + 1, argc - i - 1);
	c->is_long = d->spec.rate <= 0 && d->count > 1 &&
		     !cmd_args_has(c, "nowait");
	return CMD_RETURN_NORMAL;
}

static enum cmd_retval
submit_job(struct cmd_ctx *c, struct submit_data *d)
{
	unsigned id;
	int rc;

	rc = cmd_job_start(c->s, &d->spec, &id);
	if (rc != 0)
		return cmd_error_wp(c, rc, "cannot start the job");
	cmd_print(c, "job %u started: %s", id, d->spec.spec);
	cmd_json_u64(cmd_reply(c), "job", id);
	cmd_json_str(cmd_reply(c), "spec", d->spec.spec);
	return CMD_RETURN_NORMAL;
}

static enum cmd_retval
submit_exec(struct cmd_ctx *c)
{
	struct submit_data *d = c->data;
	wp_pool *pool = cmd_pool(c);
	uint64_t i, v = 0, id, first = 0, last = 0, ok = 0, bad = 0, skip = 0;
	uint64_t wait_ms = cmd_args_u64(c, "wait", SUBMIT_WAIT_MS);
	uint64_t ids[SUBMIT_IDS_MAX];
	int64_t deadline, left;
	int rc, first_rc = 0;
	bool nowait = cmd_args_has(c, "nowait"), interrupted = false;
	char rest[48] = "";
	struct cmd_json *j = cmd_reply(c);

	if (pool == NULL)
		return cmd_error(c, "no pool (run 'start')");
	if (strcmp(d->spec.kind->name, "crash") == 0 &&
	    (wp_pool_get_option(pool, WP_OPT_CONTAIN_CRASHES, &v) != 0 ||
	     v == 0))
		return cmd_error(c, "crash needs containment, and "
				 "contain-crashes is off: the fault would "
				 "kill wpool (start wpool with "
				 "--contain-crashes, or 'set contain-crashes "
				 "on' then 'stop' and 'start')");
	if (d->spec.rate > 0)
		return submit_job(c, d);

	deadline = cmd_now_ns() + (int64_t)wait_ms * 1000000;
	for (i = 0; i < d->count; i++) {
		if (cmd_interrupted(c->s)) {
			interrupted = true;
			break;
		}
		left = (deadline - cmd_now_ns()) / 1000000;
		if (nowait || wait_ms == 0)
			rc = cmd_submit_one(c->s, pool, &d->spec, 0, &id);
		else if (left <= 0)
			rc = WP_ETIMEDOUT;
		else
			rc = cmd_submit_one(c->s, pool, &d->spec,
					    (uint64_t)left, &id);
		if (rc != 0) {
			if (first_rc == 0)
				first_rc = rc;
			bad++;
			/* Closed stays closed; a spent wait stays spent:
			 * the rest is not offered to the pool at all. */
			if (rc == WP_ECLOSED || rc == WP_ETIMEDOUT) {
				skip = d->count - i - 1;
				break;
			}
			continue;
		}
		if (ok == 0)
			first = id;
		last = id;
		if (ok < SUBMIT_IDS_MAX)
			ids[ok] = id;
		ok++;
	}

	cmd_json_str(j, "kind", d->spec.kind->name);
	cmd_json_u64(j, "accepted", ok);
	cmd_json_u64(j, "rejected", bad);
	if (skip > 0)
		cmd_json_u64(j, "not_submitted", skip);
	if (ok > 0) {
		cmd_json_u64(j, "first_id", first);
		cmd_json_u64(j, "last_id", last);
		if (ok <= SUBMIT_IDS_MAX) {
			cmd_json_arr_open(j, "ids");
			for (i = 0; i < ok; i++)
				cmd_json_u64(j, NULL, ids[i]);
			cmd_json_arr_close(j);
		}
	}
	if (ok == 1 && d->count == 1)
		cmd_print(c, "task %" PRIu64 " submitted (%s)", first,
			  d->spec.spec);
	else if (ok > 0)
		cmd_print(c, "%" PRIu64 " tasks submitted, ids %" PRIu64
			  "-%" PRIu64 " (%s)",
			  ok, first, last, d->spec.spec);
	if (interrupted) {
		cmd_print(c, "interrupted after %" PRIu64 " of %" PRIu64, ok,
			  d->count);
		cmd_json_bool(j, "interrupted", true);
		return CMD_RETURN_NORMAL;
	}
	if (bad == 0)
		return CMD_RETURN_NORMAL;
	if (skip > 0)
		snprintf(rest, sizeof rest, "; %" PRIu64 " not submitted",
			 skip);
	if (first_rc == WP_ETIMEDOUT)
		return cmd_error(c, "%" PRIu64 " of %" PRIu64 " rejected: no "
				 "room in the task queue within %" PRIu64
				 "ms%s",
				 bad, d->count, wait_ms, rest);
	return cmd_error_wp(c, first_rc,
			    "%" PRIu64 " of %" PRIu64 " rejected%s", bad,
			    d->count, rest);
}

const struct cmd_entry cmd_submit_entry = {
	.name = "submit",
	.alias = {"s", NULL},
	.group = "work",
	.usage = "[N] KIND [ARGS] [--timeout D] [--priority P] [--rate R/s] "
		 "[--wait D|--nowait]",
	.summary = "submit N tasks of a kind (sleep D, spin D, fail, panic, "
		   "hang, crash, mix)",
	.help = "Kinds: sleep D (context-aware sleep), spin D (CPU, checks "
		"its context),\n"
		"fail [CODE], panic (wp_panic), hang [CAP] (ignores its "
		"context: orphans),\n"
		"crash (a segfault; needs contain-crashes on), mix (the demo "
		"load).\n"
		"Without --rate the tasks go in now, waiting for room up to "
		"--wait (30s).\n"
		"With --rate a background job submits them (all of them "
		"until kill-job\n"
		"when N is not given); see jobs.",
	.example = "submit 20 sleep 100ms --timeout 50ms --priority 3",
	.args = {1, -1,
		 {{"timeout", CMD_ARG_DURATION,
		   "per-task deadline (off or 0: none; default: the pool's)"},
		  {"priority", CMD_ARG_PRIORITY, "0-9, higher runs first"},
		  {"rate", CMD_ARG_RATE, "submit in the background at R/s"},
		  {"wait", CMD_ARG_DURATION,
		   "longest wait for queue room, all tasks (30s)"},
		  {"nowait", CMD_ARG_BOOL,
		   "never wait: a full queue rejects"},
		  {NULL, 0, NULL}}},
	.complete = {{CMD_COMP_KIND, NULL}},
	.prepare = submit_prepare,
	.exec = submit_exec,
};
