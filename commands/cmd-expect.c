/*
 * cmd-expect.c - `expect METRIC OP VALUE`: a script's assertion.
 *
 * METRIC is a name of `metrics` (completed, orphans, in_flight ...) or one
 * of state, health, healthy, failing, forced, alive, jobs, results,
 * stop_ms, uptime_ms.  A failed expect fails the command, so the program
 * exits with 1.  --within D polls until the comparison holds, for
 * conditions that become true a little later on a loaded machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define EXPECT_POLL_MS 20

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
static const char *const op_names[] = {"==", "!=", "<", "<=", ">", ">="};

enum extra {
	X_NONE = -1,
	X_STATE,
	X_HEALTH,
	X_HEALTHY,
	X_FAILING,
	X_FORCED,
	X_ALIVE,
	X_JOBS,
	X_RESULTS,
	X_STOP_MS,
	X_UPTIME_MS,
};
static const char *const extra_names[] = {
	"state", "health", "healthy", "failing", "forced",
	"alive", "jobs", "results", "stop_ms", "uptime_ms",
};
#define NEXTRA (sizeof extra_names / sizeof extra_names[0])

struct expect_data {
	enum op op;
	const struct cmd_metric *cm;
	enum extra x;
	bool is_str;
	double num;
	char str[32];
	char name[40];
};

/* "12", "12.5", no sign. */
static int
parse_num(const char *s, double *out)
{
	double v = 0, scale = 0.1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			v += (*p - '0') * scale;
	}
	if (*p != '\0' || p - s > 30)
		return -1;
	*out = v;
	return 0;
}

static enum cmd_retval
parse_value(struct cmd_ctx *c, struct expect_data *d, const char *v)
{
	char err[160], q[64], sug[160];
	const char *states[8];
	uint64_t ms;
	bool b;
	int i;

	if (d->x == X_STATE || d->x == X_HEALTH) {
		if (d->op != OP_EQ && d->op != OP_NE)
			return cmd_usage(c, "%s compares with == or != only",
					 d->name);
		for (i = 0; i <= WP_STATE_FORCED; i++)
			states[i] = wp_pool_state_name((enum wp_pool_state)i);
		if (d->x == X_HEALTH) {
			states[0] = "healthy";
			states[1] = "unhealthy";
			i = 2;
		}
		for (int k = 0; k < i; k++)
			if (strcmp(states[k], v) == 0) {
				d->is_str = true;
				snprintf(d->str, sizeof d->str, "%s", v);
				return CMD_RETURN_NORMAL;
			}
		cmd_suggest(v, states, (size_t)i, sug, sizeof sug);
		return cmd_usage(c, "%s is never '%s'%s", d->name,
				 cmd_quote(v, q, sizeof q), sug);
	}
	if (d->x == X_HEALTHY || d->x == X_FORCED ||
	    (d->cm != NULL && d->cm->type == CMD_M_BOOL)) {
		if (cmd_parse_bool(v, &b, err, sizeof err) != 0)
			return cmd_usage(c, "%s: %s", d->name, err);
		d->num = b;
		return CMD_RETURN_NORMAL;
	}
	if (d->cm != NULL && d->cm->type == CMD_M_NS && parse_num(v, &d->num)) {
		if (cmd_parse_duration(v, false, &ms, err, sizeof err) != 0)
			return cmd_usage(c, "%s: %s", d->name, err);
		d->num = (double)ms;
		return CMD_RETURN_NORMAL;
	}
	if (parse_num(v, &d->num) != 0)
		return cmd_usage(c, "%s: '%s' is not a number", d->name,
				 cmd_quote(v, q, sizeof q));
	return CMD_RETURN_NORMAL;
}

static enum cmd_retval
expect_prepare(struct cmd_ctx *c)
{
	const char *const *argv = c->args.argv;
	const char *names[128];
	struct expect_data *d;
	char q[64], sug[160];
	size_t i, n;

	d = calloc(1, sizeof *d);
	if (d == NULL)
		return cmd_error(c, "out of memory");
	c->data = d;
	d->x = X_NONE;
	snprintf(d->name, sizeof d->name, "%s", argv[0]);
	d->cm = cmd_metric_find(argv[0]);
	if (d->cm == NULL) {
		for (i = 0; i < NEXTRA; i++)
			if (cmd_metric_name_eq(extra_names[i], argv[0]))
				d->x = (enum extra)i;
		if (d->x == X_NONE) {
			n = cmd_expect_names(names, 128);
			cmd_suggest(argv[0], names, n, sug, sizeof sug);
			return cmd_usage(c, "unknown metric '%s'%s (see "
					 "'metrics')",
					 cmd_quote(argv[0], q, sizeof q), sug);
		}
	}
	for (i = 0; i < 6; i++)
		if (strcmp(argv[1], op_names[i]) == 0)
			break;
	if (i == 6 && strcmp(argv[1], "=") == 0)
		i = OP_EQ;
	if (i == 6)
		return cmd_usage(c, "unknown operator '%s' (==, !=, <, <=, "
				 ">, >=)",
				 cmd_quote(argv[1], q, sizeof q));
	d->op = (enum op)i;
	c->is_long = cmd_args_has(c, "within");
	return parse_value(c, d, argv[2]);
}

/* The actual value now; -1 with an error set if it cannot be read. */
static int
actual(struct cmd_ctx *c, struct expect_data *d, double *num, char *str,
       size_t len)
{
	const struct wp_stop_report *r;
	struct cmd_job_info jobs[64];
	struct wp_metrics m;
	struct wp_health h;
	wp_pool *pool = cmd_pool(c);
	int rc;

	if (pool == NULL) {
		cmd_error(c, "no pool");
		return -1;
	}
	str[0] = '\0';
	if (d->cm != NULL) {
		rc = wp_pool_metrics(pool, &m);
		if (rc != 0) {
			cmd_error_wp(c, rc, "metrics");
			return -1;
		}
		return cmd_metric_value(d->cm, &m, num, str, len);
	}
	switch (d->x) {
	case X_STATE:
		snprintf(str, len, "%s", wp_pool_state_name(wp_pool_state(pool)));
		return 0;
	case X_HEALTH:
	case X_HEALTHY:
	case X_FAILING:
		rc = wp_pool_health(pool, &h);
		if (rc != 0) {
			cmd_error_wp(c, rc, "health");
			return -1;
		}
		if (d->x == X_FAILING)
			*num = h.nfailing;
		else
			*num = h.healthy;
		if (d->x == X_HEALTH)
			snprintf(str, len, "%s",
				 h.healthy ? "healthy" : "unhealthy");
		else if (d->x == X_HEALTHY)
			snprintf(str, len, "%s", h.healthy ? "true" : "false");
		else
			snprintf(str, len, "%u", h.nfailing);
		return 0;
	case X_FORCED:
	case X_ALIVE:
	case X_STOP_MS:
		r = cmd_session_last_stop(c->s);
		if (d->x == X_FORCED)
			*num = r ? r->forced : 0;
		else if (d->x == X_ALIVE)
			*num = r ? r->nalive : 0;
		else
			*num = r ? r->total_ms : 0;
		if (d->x == X_FORCED)
			snprintf(str, len, "%s", *num ? "true" : "false");
		else
			snprintf(str, len, "%g", *num);
		return 0;
	case X_JOBS:
		*num = (double)cmd_session_jobs(c->s, jobs, 64);
		snprintf(str, len, "%g", *num);
		return 0;
	case X_RESULTS:
		pthread_mutex_lock(&c->s->results_mu);
		*num = (double)c->s->results_total;
		pthread_mutex_unlock(&c->s->results_mu);
		snprintf(str, len, "%g", *num);
		return 0;
	case X_UPTIME_MS:
		rc = wp_pool_metrics(pool, &m);
		if (rc != 0) {
			cmd_error_wp(c, rc, "metrics");
			return -1;
		}
		*num = (double)m.uptime_ns / 1e6;
		snprintf(str, len, "%g", *num);
		return 0;
	default:
		cmd_error(c, "unknown metric");
		return -1;
	}
}

static bool
holds(const struct expect_data *d, double num, const char *str)
{
	int cmp;

	if (d->is_str) {
		cmp = strcmp(str, d->str);
		return d->op == OP_EQ ? cmp == 0 : cmp != 0;
	}
	switch (d->op) {
	case OP_EQ:
		return num == d->num;
	case OP_NE:
		return num != d->num;
	case OP_LT:
		return num < d->num;
	case OP_LE:
		return num <= d->num;
	case OP_GT:
		return num > d->num;
	default:
		return num >= d->num;
	}
}

static enum cmd_retval
expect_exec(struct cmd_ctx *c)
{
	struct expect_data *d = c->data;
	uint64_t within = cmd_args_u64(c, "within", 0);
	int64_t until = cmd_now_ns() + (int64_t)within * 1000000;
	struct cmd_json *j = cmd_reply(c);
	char str[64], w[32];
	double num = 0;
	bool ok;

	for (;;) {
		if (actual(c, d, &num, str, sizeof str) != 0)
			return CMD_RETURN_ERROR;
		ok = holds(d, num, str);
		if (ok || cmd_now_ns() >= until)
			break;
		if (cmd_session_sleep(c->s, EXPECT_POLL_MS))
			break;
	}
	cmd_json_str(j, "metric", d->name);
	cmd_json_str(j, "op", op_names[d->op]);
	cmd_json_str(j, "expected", c->args.argv[2]);
	cmd_json_str(j, "actual", str);
	cmd_json_bool(j, "holds", ok);
	if (!ok)
		return cmd_error(c, "%s %s %s does not hold: it is %s%s%s",
				 d->name, op_names[d->op], c->args.argv[2],
				 str, within ? " after " : "",
				 within ? cmd_fmt_ms(within, w, sizeof w) : "");
	cmd_print(c, "ok: %s %s %s (%s)", d->name, op_names[d->op],
		  c->args.argv[2], str);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_expect_entry = {
	.name = "expect",
	.group = "scripts",
	.usage = "METRIC OP VALUE [--within D]",
	.summary = "check a metric (==, !=, <, <=, >, >=); a failure makes "
		   "wpool exit 1",
	.help = "METRIC: any name of metrics (completed, failed, timed_out, "
		"orphans,\n"
		"in_flight, queued, ...), or state (running, stopped, forced "
		"...), health\n"
		"(healthy, unhealthy), healthy, failing, forced, alive (threads "
		"the last\n"
		"stop left), jobs, results, stop_ms, uptime_ms.  Durations "
		"compare in ms.",
	.example = "expect completed == 100 --within 5s",
	.args = {3, 3,
		 {{"within", CMD_ARG_DURATION,
		   "keep checking until it holds, up to D"},
		  {NULL, 0, NULL}}},
	.complete = {{CMD_COMP_METRIC, NULL}, {CMD_COMP_OP, NULL}},
	.flags = 0,
	.prepare = expect_prepare,
	.exec = expect_exec,
};
