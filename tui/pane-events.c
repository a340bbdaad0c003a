/*
 * pane-events.c - the event pane: the pool's events (errors, panics,
 * timeouts, layer firings, stop phases, operator notes) interleaved with
 * the operator's commands and their output, newest at the bottom.
 * PageUp/PageDown scroll; the title says how far.  The help pane uses the
 * same drawer without times.
 */
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

static enum tui_style
event_style(int ev)
{
	switch (ev) {
	case WP_EV_PANIC:
	case WP_EV_CRASH:
		return TUI_S_FAIL;
	case WP_EV_TIMEOUT:
	case WP_EV_ORPHAN:
	case WP_EV_FAILED:
	case WP_EV_SIGNAL:
	case WP_EV_HEALTH:
		return TUI_S_WARN;
	case WP_EV_STOP_PHASE:
	case WP_EV_STOP_PROGRESS:
	case WP_EV_STOP_DONE:
	case WP_EV_DRAIN:
		return TUI_S_INFO;
	case WP_EV_NOTE:
		return TUI_S_CMD;
	default:
		return TUI_S_NORMAL;
	}
}

static void
line(WINDOW *w, int y, const struct tui_logline *l, bool times)
{
	int width = getmaxx(w), x = 1;
	enum tui_style st = TUI_S_NORMAL;
	const char *pre = "";
	char when[16];

	if (times) {
		if (l->kind == TUI_LOG_OUT) {
			x += 9;
		} else {
			tui_fmt_clock(when, sizeof(when), l->wall_ms);
			x += tui_putf(w, y, x, -1, TUI_S_DIM, "%s ", when);
		}
	}
	switch (l->kind) {
	case TUI_LOG_EVENT:
		st = event_style(l->ev);
		break;
	case TUI_LOG_CMD:
		st = TUI_S_CMD;
		pre = "> ";
		break;
	case TUI_LOG_OUT:
		break;
	case TUI_LOG_ERR:
		st = TUI_S_FAIL;
		pre = "error: ";
		break;
	case TUI_LOG_INFO:
		st = TUI_S_DIM;
		break;
	}
	if (pre[0] != '\0')
		x += tui_put(w, y, x, width - x, st, pre);
	tui_put(w, y, x, width - x, st, l->text);
}

void
tui_log_draw(WINDOW *w, const struct tui_log *l, const char *title)
{
	int rows = getmaxy(w) - 1;
	bool times = strcmp(title, "EVENTS") == 0;
	unsigned end, first, sc = l->scroll;
	char right[64] = "";

	werase(w);
	if (l->n > (unsigned)(rows > 0 ? rows : 0))
		snprintf(right, sizeof(right), "PgUp/PgDn");
	if (rows <= 0) {
		tui_rule(w, 0, TUI_S_TITLE, title, TUI_S_DIM, right);
		return;
	}
	if (l->n <= (unsigned)rows)
		sc = 0;
	else if (sc > l->n - (unsigned)rows)
		sc = l->n - (unsigned)rows;
	if (sc > 0)
		snprintf(right, sizeof(right), "SCROLLED: %u more below", sc);
	tui_rule(w, 0, TUI_S_TITLE, title, sc > 0 ? TUI_S_WARN : TUI_S_DIM,
		 right);
	end = l->n - sc;
	first = end > (unsigned)rows ? end - (unsigned)rows : 0;
	for (unsigned i = first; i < end; i++)
		line(w, 1 + (int)(i - first), tui_log_at(l, i), times);
}

uint64_t
tui_events_sig(const struct tui_view *v)
{
	uint64_t h = tui_hash(TUI_HASH_INIT, &v->log->gen, sizeof(v->log->gen));

	return tui_hash(h, &v->log->scroll, sizeof(v->log->scroll));
}

void
tui_events_draw(WINDOW *w, const struct tui_view *v)
{
	tui_log_draw(w, v->log, "EVENTS");
}
