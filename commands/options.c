/*
 * options.c - settings through the wp_option table, shared by `set`,
 * `get`, `config`, `timeout`, `stop-timeout` and `resize`.
 *
 * A value is parsed by its option's unit (durations, sizes, on/off,
 * percentages), checked against the option's range here so the message can
 * show the range in that unit, and applied to the running pool.  A setting
 * the pool cannot take now (create-only, or the pool is stopped) is kept
 * for the next `start`, and the reply says so.  Every applied value is
 * also kept (cmd_cfg_set() below), so `start` builds the new pool with the
 * same settings.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

const char *
cmd_unit_name(enum wp_unit u)
{
	switch (u) {
	case WP_UNIT_MS:
		return "ms";
	case WP_UNIT_BYTES:
		return "bytes";
	case WP_UNIT_BOOL:
		return "bool";
	case WP_UNIT_PERMILLE:
		return "permille";
	default:
		return "count";
	}
}

const struct wp_option_info *
cmd_option_lookup(struct cmd_ctx *c, const char *name)
{
	const struct wp_option_info *oi = wp_option_find(name);
	const char *names[WP_OPT_COUNT];
	char q[64], sug[160];
	size_t n = 0;
	int o;

	if (oi != NULL)
		return oi;
	for (o = 0; o < WP_OPT_COUNT; o++)
		if (wp_option_info((enum wp_option)o) != NULL)
			names[n++] = wp_option_info((enum wp_option)o)->name;
	cmd_suggest(name, names, n, sug, sizeof sug);
	cmd_usage(c, "unknown setting '%s'%s (see 'config')",
		  cmd_quote(name, q, sizeof q), sug);
	return NULL;
}

enum cmd_retval
cmd_option_set(struct cmd_ctx *c, const struct wp_option_info *oi,
	       uint64_t v)
{
	struct cmd_json *j = cmd_reply(c);
	char was[48], now[48], lo[48], hi[48];
	wp_pool *pool = cmd_pool(c);
	uint64_t old = 0;
	int rc;

	if (v < oi->min || v > oi->max)
		return cmd_error(c, "%s %s is out of range (%s to %s)",
				 oi->name, cmd_fmt_option(oi, v, now,
							  sizeof now),
				 cmd_fmt_option(oi, oi->min, lo, sizeof lo),
				 cmd_fmt_option(oi, oi->max, hi, sizeof hi));
	if (pool == NULL)
		return cmd_error(c, "no pool");
	wp_pool_get_option(pool, oi->opt, &old);
	cmd_fmt_option(oi, old, was, sizeof was);
	cmd_fmt_option(oi, v, now, sizeof now);
	cmd_json_str(j, "name", oi->name);
	cmd_json_u64(j, "value", v);
	cmd_json_str(j, "display", now);
	rc = wp_pool_set_option(pool, oi->opt, v);
	if (rc == WP_ESTATE) {
		cmd_session_set_cfg(c->s, oi->opt, v);
		cmd_json_bool(j, "pending", true);
		cmd_print(c, "%s %s kept for the next 'start' (%s)", oi->name,
			  now,
			  oi->runtime ? "the pool is not running"
				      : "it is set when a pool is created");
		return CMD_RETURN_NORMAL;
	}
	if (rc == WP_ERANGE)
		return cmd_error(c, "%s %s is out of range (%s to %s)",
				 oi->name, now,
				 cmd_fmt_option(oi, oi->min, lo, sizeof lo),
				 cmd_fmt_option(oi, oi->max, hi, sizeof hi));
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s %s", oi->name, now);
	cmd_session_set_cfg(c->s, oi->opt, v);
	cmd_json_u64(j, "previous", old);
	cmd_print(c, "%s %s (was %s)", oi->name, now, was);
	return CMD_RETURN_NORMAL;
}

enum cmd_retval
cmd_option_show(struct cmd_ctx *c, const struct wp_option_info *oi)
{
	struct cmd_json *j = cmd_reply(c);
	wp_pool *pool = cmd_pool(c);
	char now[48];
	uint64_t v = 0;
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = wp_pool_get_option(pool, oi->opt, &v);
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s", oi->name);
	cmd_json_str(j, "name", oi->name);
	cmd_json_u64(j, "value", v);
	cmd_json_str(j, "display", cmd_fmt_option(oi, v, now, sizeof now));
	cmd_json_str(j, "unit", cmd_unit_name(oi->unit));
	cmd_print(c, "%s %s", oi->name, now);
	return CMD_RETURN_NORMAL;
}

enum cmd_retval
cmd_option_parse_set(struct cmd_ctx *c, const struct wp_option_info *oi,
		     const char *value)
{
	char err[160];
	uint64_t v;

	if (cmd_parse_option(oi, value, &v, err, sizeof err) != 0)
		return cmd_usage(c, "%s: %s", oi->name, err);
	return cmd_option_set(c, oi, v);
}

/* A struct wp_config field by its option, for the settings a session
 * keeps for the next `start`. */
uint64_t
cmd_cfg_get(const struct wp_config *cfg, enum wp_option opt)
{
	switch (opt) {
	case WP_OPT_WORKERS:
		return cfg->workers;
	case WP_OPT_TASK_TIMEOUT_MS:
		return cfg->task_timeout_ms;
	case WP_OPT_STOP_TIMEOUT_MS:
		return cfg->stop_timeout_ms;
	case WP_OPT_STOP_CHECK_MS:
		return cfg->stop_check_ms;
	case WP_OPT_MONITOR_INTERVAL_MS:
		return cfg->monitor_interval_ms;
	case WP_OPT_HEALTH_INTERVAL_MS:
		return cfg->health_interval_ms;
	case WP_OPT_TASK_QUEUE_CAP:
		return cfg->task_queue_cap;
	case WP_OPT_RESULT_QUEUE_CAP:
		return cfg->result_queue_cap;
	case WP_OPT_ERROR_QUEUE_CAP:
		return cfg->error_queue_cap;
	case WP_OPT_ORPHAN_CAP:
		return cfg->orphan_cap;
	case WP_OPT_CONTAIN_CRASHES:
		return cfg->contain_crashes;
	case WP_OPT_HEALTH_HEAP_BYTES:
		return cfg->health_heap_bytes;
	case WP_OPT_HEALTH_THREADS_FACTOR:
		return cfg->health_threads_factor;
	case WP_OPT_HEALTH_BACKLOG_FACTOR:
		return cfg->health_backlog_factor;
	case WP_OPT_HEALTH_ERROR_PERMILLE:
		return cfg->health_error_permille;
	case WP_OPT_HEALTH_ERROR_WINDOW_MS:
		return cfg->health_error_window_ms;
	case WP_OPT_HEALTH_ERROR_MIN_SAMPLES:
		return cfg->health_error_min_samples;
	case WP_OPT_HEALTH_STUCK_MS:
		return cfg->health_stuck_ms;
	}
	return 0;
}

void
cmd_cfg_set(struct wp_config *cfg, enum wp_option opt, uint64_t v)
{
	unsigned u = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;

	switch (opt) {
	case WP_OPT_WORKERS:
		cfg->workers = u;
		break;
	case WP_OPT_TASK_TIMEOUT_MS:
		cfg->task_timeout_ms = v;
		break;
	case WP_OPT_STOP_TIMEOUT_MS:
		cfg->stop_timeout_ms = v;
		break;
	case WP_OPT_STOP_CHECK_MS:
		cfg->stop_check_ms = v;
		break;
	case WP_OPT_MONITOR_INTERVAL_MS:
		cfg->monitor_interval_ms = v;
		break;
	case WP_OPT_HEALTH_INTERVAL_MS:
		cfg->health_interval_ms = v;
		break;
	case WP_OPT_TASK_QUEUE_CAP:
		cfg->task_queue_cap = u;
		break;
	case WP_OPT_RESULT_QUEUE_CAP:
		cfg->result_queue_cap = u;
		break;
	case WP_OPT_ERROR_QUEUE_CAP:
		cfg->error_queue_cap = u;
		break;
	case WP_OPT_ORPHAN_CAP:
		cfg->orphan_cap = u;
		break;
	case WP_OPT_CONTAIN_CRASHES:
		cfg->contain_crashes = v != 0;
		break;
	case WP_OPT_HEALTH_HEAP_BYTES:
		cfg->health_heap_bytes = v;
		break;
	case WP_OPT_HEALTH_THREADS_FACTOR:
		cfg->health_threads_factor = u;
		break;
	case WP_OPT_HEALTH_BACKLOG_FACTOR:
		cfg->health_backlog_factor = u;
		break;
	case WP_OPT_HEALTH_ERROR_PERMILLE:
		cfg->health_error_permille = u;
		break;
	case WP_OPT_HEALTH_ERROR_WINDOW_MS:
		cfg->health_error_window_ms = v;
		break;
	case WP_OPT_HEALTH_ERROR_MIN_SAMPLES:
		cfg->health_error_min_samples = u;
		break;
	case WP_OPT_HEALTH_STUCK_MS:
		cfg->health_stuck_ms = v;
		break;
	}
}
