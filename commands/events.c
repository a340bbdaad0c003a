/*
 * events.c - pool events to sink lines.
 *
 * DESIGN
 * cmd_on_event() is the pool's on_event callback: it runs on whichever pool
 * thread produced the event (a worker, the watchdog, the monitor, the
 * thread running the ordered stop, or an orphan coming back, even after the
 * pool was destroyed: hence the guard), so it only formats into a stack
 * buffer, bumps an atomic and calls the sink.  Every event goes out as CMD_EVENT;
 * the stop's phases and progress and drain progress also go out as
 * CMD_PROGRESS, which is what a long `stop` shows while it waits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

void
cmd_event_format(struct cmd_session *s, const struct wp_event *ev, bool json,
		 char *buf, size_t len)
{
	struct cmd_json j;
	struct tm tm;
	time_t t;
	char who[48] = "";

	(void)s;
	if (json) {
		cmd_json_init(&j, true);
		cmd_json_str(&j, "event", wp_event_type_name(ev->type));
		cmd_json_u64(&j, "seq", ev->seq);
		cmd_json_i64(&j, "wall_ms", ev->wall_ms);
		if (ev->task_id != 0)
			cmd_json_u64(&j, "task", ev->task_id);
		if (ev->worker >= 0)
			cmd_json_i64(&j, "worker", ev->worker);
		cmd_json_str(&j, "text", ev->text);
		cmd_json_obj_close(&j);
		snprintf(buf, len, "%s", cmd_json_text(&j));
		cmd_json_free(&j);
		return;
	}
	t = (time_t)(ev->wall_ms / 1000);
	localtime_r(&t, &tm);
	if (ev->task_id != 0 && ev->worker >= 0)
		snprintf(who, sizeof who, " [task %" PRIu64 " w%d]",
			 ev->task_id, ev->worker);
	else if (ev->task_id != 0)
		snprintf(who, sizeof who, " [task %" PRIu64 "]", ev->task_id);
	else if (ev->worker >= 0)
		snprintf(who, sizeof who, " [w%d]", ev->worker);
	snprintf(buf, len, "%02d:%02d:%02d.%03d %-13s %s%s", tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ev->wall_ms % 1000),
		 wp_event_type_name(ev->type), ev->text, who);
}

void
cmd_on_event(void *udata, const struct wp_event *ev)
{
	struct cmd_session *s = cmd_guard_enter(udata);
	char buf[512];
	uint64_t seen;

	if (s == NULL)
		return;
	seen = atomic_load(&s->event_seq);
	while (ev->seq > seen &&
	       !atomic_compare_exchange_weak(&s->event_seq, &seen, ev->seq))
		;
	if (s->sink.line != NULL) {
		cmd_event_format(s, ev, s->opts.json, buf, sizeof buf);
		s->sink.line(s->sink.udata, CMD_EVENT, buf);
		if (ev->type == WP_EV_STOP_PHASE ||
		    ev->type == WP_EV_STOP_PROGRESS ||
		    ev->type == WP_EV_STOP_DONE || ev->type == WP_EV_DRAIN) {
			if (s->opts.json)
				s->sink.line(s->sink.udata, CMD_PROGRESS, buf);
			else
				cmd_sink_line(s, CMD_PROGRESS, "%s: %s",
					      wp_event_type_name(ev->type),
					      ev->text);
		}
	}
	if (s->opts.cfg.on_event != NULL)
		s->opts.cfg.on_event(s->opts.cfg.udata, ev);
	cmd_guard_leave(udata);
}
