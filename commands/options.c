/*
 * options.c - settings through the wp_option table, shared by `set`,
 * `get`, `config`, `timeout`, `stop-timeout` and `resize`.
 *
 * A value is parsed by its option's unit (durations, sizes, on/off,
 * percentages), checked against the option's range here so the message can
 * show the range in that unit, and applied to the running pool.  A setting
 * the pool cannot take now (create-only, or the pool is stopped) is kept
 * for the next `start`, and the reply says so.  Every applied value is
 * also kept (wp_config_set() on the session's config), so `start` builds
 * the new pool with the same settings.
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
	case WP_UNIT_US:
		return "us";
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

