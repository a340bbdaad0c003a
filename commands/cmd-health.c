/*
 * cmd-health.c - `health`: every check, failing ones first (S7.2).
 */
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
health_exec(struct cmd_ctx *c)
{
	struct cmd_json *j = cmd_reply(c);
	const struct wp_health_item *it;
	struct wp_health h;
	wp_pool *pool = cmd_pool(c);
	int rc, pass;
	unsigned i;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = cmd_args_has(c, "published") ? wp_pool_health_published(pool, &h)
					   : wp_pool_health(pool, &h);
	if (rc == WP_EAGAIN)
		return cmd_error(c, "the health checker has not published a "
				 "result yet");
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s", "");
	cmd_json_bool(j, "healthy", h.healthy);
	cmd_json_arr_open(j, "failing");
	for (i = 0; i < WP_HEALTH_CHECKS; i++) {
		it = &h.items[i];
		if (!it->failing)
			continue;
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name", wp_health_check_name(it->check));
		cmd_json_dbl(j, "value", it->value);
		cmd_json_dbl(j, "threshold", it->threshold);
		cmd_json_str(j, "text", it->text);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_json_arr_open(j, "checks");
	for (i = 0; i < WP_HEALTH_CHECKS; i++) {
		it = &h.items[i];
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name", wp_health_check_name(it->check));
		cmd_json_bool(j, "failing", it->failing);
		cmd_json_dbl(j, "value", it->value);
		cmd_json_dbl(j, "threshold", it->threshold);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_json_u64(j, "window_samples", h.window_samples);

	if (h.healthy)
		cmd_print(c, "healthy (%d checks pass)", WP_HEALTH_CHECKS);
	else
		cmd_print(c, "UNHEALTHY: %u of %d checks failing", h.nfailing,
			  WP_HEALTH_CHECKS);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < WP_HEALTH_CHECKS; i++) {
			it = &h.items[i];
			if (it->failing != (pass == 0))
				continue;
			cmd_print(c, "  [%s] %-11s %s",
				  it->failing ? "FAIL" : " ok ",
				  wp_health_check_name(it->check), it->text);
		}
	}
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_health_entry = {
	.name = "health",
	.group = "looking",
	.usage = "[--published]",
	.summary = "a fresh health check: every check with value and "
		   "threshold",
	.args = {0, 0,
		 {{"published", CMD_ARG_BOOL,
		   "the health checker's last result instead"},
		  {NULL, 0, NULL}}},
	.exec = health_exec,
};
