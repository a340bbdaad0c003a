/*
 * cmd-config.c - `config`: every setting, its value, range and meaning.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"

static enum cmd_retval
config_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi;
	struct cmd_json *j = cmd_reply(c);
	struct wp_config next;
	wp_pool *pool = cmd_pool(c);
	char now[48], pend[80];
	uint64_t v, nv;
	int o;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	pthread_mutex_lock(&c->s->mu);
	next = c->s->cfg;
	pthread_mutex_unlock(&c->s->mu);

	cmd_json_obj_open(j, "settings");
	for (o = 0; o < WP_OPT_COUNT; o++) {
		oi = wp_option_info((enum wp_option)o);
		if (oi != NULL && wp_pool_get_option(pool, oi->opt, &v) == 0)
			cmd_json_u64(j, oi->name, v);
	}
	cmd_json_obj_close(j);
	cmd_json_arr_open(j, "options");
	for (o = 0; o < WP_OPT_COUNT; o++) {
		oi = wp_option_info((enum wp_option)o);
		if (oi == NULL || wp_pool_get_option(pool, oi->opt, &v) != 0)
			continue;
		wp_config_get(&next, oi->opt, &nv);
		pend[0] = '\0';
		/* A kept setting that this pool does not have yet. */
		if (nv != v && !(nv == 0 && oi->min > 0)) {
			char t[48];

			snprintf(pend, sizeof pend, " (next start: %s)",
				 cmd_fmt_option(oi, nv, t, sizeof t));
		}
		cmd_fmt_option(oi, v, now, sizeof now);
		cmd_print(c, "%-24s %-10s%s %s%s", oi->name, now,
			  oi->runtime ? " " : "*", oi->help, pend);
		cmd_json_obj_open(j, NULL);
		cmd_json_str(j, "name", oi->name);
		cmd_json_u64(j, "value", v);
		cmd_json_str(j, "display", now);
		cmd_json_str(j, "unit", cmd_unit_name(oi->unit));
		cmd_json_bool(j, "runtime", oi->runtime);
		cmd_json_u64(j, "min", oi->min);
		cmd_json_u64(j, "max", oi->max);
		if (pend[0] != '\0')
			cmd_json_u64(j, "next", nv);
		cmd_json_str(j, "help", oi->help);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_print(c, "(* set when a pool is created: 'set' keeps it for the "
		     "next 'start')");
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.alias = {"settings", NULL},
	.group = "settings",
	.usage = "",
	.summary = "every setting: intervals, health thresholds, orphan cap, "
		   "containment",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = config_exec,
};
