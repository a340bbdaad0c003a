/*
 * report.c - a stop report as text and JSON, shared by stop, drain, quit
 * and timeline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

static void
fmt_ms(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1fms", ms);
}

static void
alive_list(const struct wp_stop_report *r, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nthreads && o < len; i++) {
		if (r->threads[i].exited_ns >= 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s (%s)",
				      k++ ? ", " : "", r->threads[i].name,
				      wp_thread_class_name(r->threads[i].cls));
	}
}

void
cmd_report_json(struct cmd_ctx *c, const struct wp_stop_report *r)
{
	struct cmd_json *j = cmd_reply(c);
	unsigned i;

	cmd_json_arr_open(j, "phases");
	for (i = 0; i < WP_PHASE_COUNT; i++) {
		if (r->phase_ms[i] < 0)
			continue;
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name",
			     wp_stop_phase_name((enum wp_stop_phase)i));
		cmd_json_dbl(j, "ms", r->phase_ms[i]);
		cmd_json_bool(j, "already", r->phase_already[i]);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_json_dbl(j, "total_ms", r->total_ms);
	cmd_json_bool(j, "forced", r->forced);
	cmd_json_bool(j, "drained", r->drained);
	cmd_json_u64(j, "bound_ms", r->bound_ms);
	cmd_json_u64(j, "cancelled_queued", r->cancelled_queued);
	cmd_json_u64(j, "cancelled_running", r->cancelled_running);
	cmd_json_arr_open(j, "alive");
	for (i = 0; i < r->nthreads; i++)
		if (r->threads[i].exited_ns < 0)
			cmd_json_str(j, NULL, r->threads[i].name);
	cmd_json_arr_close(j);
	cmd_json_arr_open(j, "threads");
	for (i = 0; i < r->nthreads; i++) {
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name", r->threads[i].name);
		cmd_json_str(j, "class",
			     wp_thread_class_name(r->threads[i].cls));
		if (r->threads[i].exited_ns >= 0)
			cmd_json_dbl(j, "exited_ms",
				     (double)r->threads[i].exited_ns / 1e6);
		else
			cmd_json_null(j, "exited_ms");
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
}

void
cmd_report_summary(struct cmd_ctx *c, const struct wp_stop_report *r)
{
	char total[32], bound[32], alive[512];

	fmt_ms(r->total_ms, total, sizeof total);
	cmd_fmt_ms(r->bound_ms, bound, sizeof bound);
	alive_list(r, alive, sizeof alive);
	if (r->forced)
		cmd_print(c, "%s FORCED after %s (bound %s): %u thread%s left "
			  "behind: %s",
			  r->drained ? "drain" : "stop", total, bound,
			  r->nalive, r->nalive == 1 ? "" : "s", alive);
	else
		cmd_print(c, "%s clean in %s (bound %s)",
			  r->drained ? "drain" : "stop", total, bound);
	if (r->cancelled_queued > 0 || r->cancelled_running > 0)
		cmd_print(c, "cancelled: %" PRIu64 " queued, %" PRIu64
			  " running",
			  r->cancelled_queued, r->cancelled_running);
	cmd_report_json(c, r);
}

void
cmd_report_timeline(struct cmd_ctx *c, const struct wp_stop_report *r)
{
	char at[32], ms[32], when[32];
	struct tm tm;
	time_t t = (time_t)(r->begin_wall_ms / 1000);
	unsigned i, joined = 0;

	localtime_r(&t, &tm);
	snprintf(when, sizeof when, "%02d:%02d:%02d.%03d", tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(r->begin_wall_ms % 1000));
	cmd_print(c, "%s began %s", r->drained ? "drain" : "stop", when);
	cmd_print(c, "  %-14s %s", "PHASE", "AT");
	for (i = 0; i < WP_PHASE_COUNT; i++) {
		if (r->phase_ms[i] < 0)
			continue;
		fmt_ms(r->phase_ms[i], at, sizeof at);
		cmd_print(c, "  %-14s %s%s",
			  wp_stop_phase_name((enum wp_stop_phase)i), at,
			  r->phase_already[i] ? " (signal had fired before)"
					      : "");
	}
	for (i = 0; i < r->nthreads; i++)
		if (r->threads[i].exited_ns >= 0)
			joined++;
	cmd_print(c, "  %-14s %-10s %s", "THREAD", "CLASS", "EXITED");
	for (i = 0; i < r->nthreads; i++) {
		if (r->threads[i].exited_ns >= 0)
			fmt_ms((double)r->threads[i].exited_ns / 1e6, ms,
			       sizeof ms);
		else
			snprintf(ms, sizeof ms, "ALIVE");
		cmd_print(c, "  %-14s %-10s %s", r->threads[i].name,
			  wp_thread_class_name(r->threads[i].cls), ms);
	}
	cmd_print(c, "threads: %u exited, %u left", joined, r->nalive);
	cmd_report_summary(c, r);
}

enum cmd_retval
cmd_stop_run(struct cmd_ctx *c, bool drain, uint64_t drain_ms)
{
	const struct wp_stop_report *r = NULL;
	wp_pool *pool = cmd_pool(c);
	const char *what = drain ? "drain" : "stop";
	uint64_t bound = 0;
	char b[32], d[32];
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	if (wp_pool_state(pool) == WP_STATE_CREATED)
		return cmd_error(c, "the pool was never started: nothing to "
				 "%s (run 'start')", what);
	/* Signals alone can leave the pool "stopped" before its ordered
	 * stop has run: only a finished stop makes this one a no-op. */
	r = wp_pool_last_stop(pool);
	if (r != NULL) {
		cmd_print(c, "the pool is already stopped%s",
			  r->forced ? " (forced)" : "");
		cmd_report_json(c, r);
		return CMD_RETURN_NORMAL;
	}
	wp_pool_get_option(pool, WP_OPT_STOP_TIMEOUT_MS, &bound);
	if (drain)
		cmd_progress(c, "drain: queued work has %s, then the ordered "
			     "stop (bound %s)",
			     cmd_fmt_ms(drain_ms ? drain_ms : bound, d,
					sizeof d),
			     cmd_fmt_ms(bound, b, sizeof b));
	else
		cmd_progress(c, "stop: the ordered stop, bound %s",
			     cmd_fmt_ms(bound, b, sizeof b));
	rc = cmd_session_stop(c->s, drain, drain_ms, &r);
	if (rc != 0 && rc != WP_EFORCED)
		return cmd_error_wp(c, rc, "%s", "");
	if (r == NULL)
		r = wp_pool_last_stop(pool);
	if (r != NULL)
		cmd_report_summary(c, r);
	return CMD_RETURN_NORMAL;
}
