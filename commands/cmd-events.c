/*
 * cmd-events.c - `events [N]`: the last N events of the pool's stream.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

#define EVENTS_DEFAULT 20
#define EVENTS_MAX 1000

static enum cmd_retval
events_exec(struct cmd_ctx *c)
{
	struct cmd_json *j = cmd_reply(c);
	struct wp_event *ev;
	wp_pool *pool = cmd_pool(c);
	uint64_t n = EVENTS_DEFAULT, last, after, lost = 0;
	char err[160], line[512];
	size_t got = 0, i;
	int rc;

	if (c->args.argc == 1 &&
	    cmd_parse_u64(c->args.argv[0], EVENTS_MAX, &n, err,
			  sizeof err) != 0)
		return cmd_usage(c, "%s", err);
	if (pool == NULL)
		return cmd_error(c, "no pool");
	/* The newest seq we know of, then the N before it.  An event being
	 * added right now may be missed: the next 'events' shows it. */
	last = atomic_load(&c->s->event_seq);
	after = last > n ? last - n : 0;
	ev = calloc(n ? n : 1, sizeof *ev);
	if (ev == NULL)
		return cmd_error(c, "out of memory");
	rc = wp_pool_events(pool, after, ev, n, &got, &lost);
	if (rc != 0) {
		free(ev);
		return cmd_error_wp(c, rc, "%s", "");
	}
	cmd_json_arr_open(j, "events");
	for (i = 0; i < got; i++) {
		cmd_json_obj_open(j, NULL);
		cmd_json_u64(j, "seq", ev[i].seq);
		cmd_json_str(j, "type", wp_event_type_name(ev[i].type));
		cmd_json_i64(j, "wall_ms", ev[i].wall_ms);
		if (ev[i].task_id != 0)
			cmd_json_u64(j, "task", ev[i].task_id);
		if (ev[i].worker >= 0)
			cmd_json_i64(j, "worker", ev[i].worker);
		cmd_json_str(j, "text", ev[i].text);
		cmd_json_obj_close(j);
	}
	cmd_json_arr_close(j);
	cmd_json_u64(j, "lost", lost);
	for (i = 0; i < got; i++) {
		cmd_event_format(c->s, &ev[i], false, line, sizeof line);
		cmd_print(c, "%s", line);
	}
	if (got == 0)
		cmd_print(c, "no events");
	if (lost > 0)
		cmd_print(c, "(%" PRIu64 " older events were overwritten)",
			  lost);
	free(ev);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_events_entry = {
	.name = "events",
	.alias = {"ev", NULL},
	.group = "looking",
	.usage = "[N]",
	.summary = "the last N events (20): signals, stop phases, timeouts, "
		   "orphans, panics",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.exec = events_exec,
};
