/*
 * cmd-metrics.c - `metrics`: every field of a fresh snapshot.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static enum cmd_retval
metrics_exec(struct cmd_ctx *c)
{
	static const char *const groups[] = {"tasks", "threads", "queues",
					     "latency", "process"};
	struct cmd_json *j = cmd_reply(c);
	const struct cmd_metric *cm;
	struct wp_metrics m;
	wp_pool *pool = cmd_pool(c);
	char text[48];
	double num;
	size_t g, i;
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = cmd_args_has(c, "published") ? wp_pool_metrics_published(pool, &m)
					   : wp_pool_metrics(pool, &m);
	if (rc == WP_EAGAIN)
		return cmd_error(c, "the monitor has not published a snapshot "
				 "yet");
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s", "");
	cmd_json_str(j, "state", wp_pool_state_name(m.state));
	for (i = 0; i < cmd_metrics_count; i++) {
		cm = &cmd_metrics[i];
		cmd_metric_value(cm, &m, &num, text, sizeof text);
		switch (cm->type) {
		case CMD_M_NS:
			cmd_json_dbl(j, cm->name, num); /* as ms */
			break;
		case CMD_M_DBL:
			cmd_json_dbl(j, cm->name, num);
			break;
		case CMD_M_BOOL:
			cmd_json_bool(j, cm->name, num != 0);
			break;
		default:
			cmd_json_u64(j, cm->name, (uint64_t)num);
		}
	}
	if (c->json)
		return CMD_RETURN_NORMAL;
	cmd_print(c, "state: %s", wp_pool_state_name(m.state));
	for (g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		cmd_print(c, "%s:", groups[g]);
		for (i = 0; i < cmd_metrics_count; i++) {
			cm = &cmd_metrics[i];
			if (strcmp(cm->group, groups[g]) != 0)
				continue;
			cmd_metric_value(cm, &m, &num, text, sizeof text);
			cmd_print(c, "  %-20s %s", cm->name, text);
		}
	}
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_metrics_entry = {
	.name = "metrics",
	.alias = {"m", NULL},
	.group = "looking",
	.usage = "[--published]",
	.summary = "every metric of a fresh snapshot (durations in ms in "
		   "JSON)",
	.args = {0, 0,
		 {{"published", CMD_ARG_BOOL,
		   "the monitor's last published snapshot instead"},
		  {NULL, 0, NULL}}},
	.exec = metrics_exec,
};
