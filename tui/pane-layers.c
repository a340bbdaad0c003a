/*
 * pane-layers.c - the seven layer signals and the threads still alive.
 *
 *   L1 cancel armed   L2 shutdown armed   monitor 12:03:04   health armed
 *   L3 tasks armed    results armed       errors armed       admission open
 *   threads  workers 4/4 busy 2  results 1  errors 1  monitor 0  ...
 *
 * A fired signal shows when it fired, in the failing style (reverse video
 * without colour); an armed one says "armed".  The thread line is read
 * fresh each refresh (not from the monitor), so it stays true while the
 * monitor is stopped and while the pool stops.
 */
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

struct cell {
	char text[48];
	enum tui_style st;
};

static const enum wp_signal order[WP_SIG_COUNT] = {
	WP_SIG_CANCEL,      WP_SIG_SHUTDOWN,      WP_SIG_STOP_MONITOR,
	WP_SIG_STOP_HEALTH, WP_SIG_CLOSE_TASKS,   WP_SIG_CLOSE_RESULTS,
	WP_SIG_CLOSE_ERRORS,
};

static const char *const short_name[WP_SIG_COUNT] = {
	[WP_SIG_CANCEL] = "cancel",        [WP_SIG_SHUTDOWN] = "shutdown",
	[WP_SIG_STOP_MONITOR] = "monitor", [WP_SIG_STOP_HEALTH] = "health",
	[WP_SIG_CLOSE_TASKS] = "tasks",    [WP_SIG_CLOSE_RESULTS] = "results",
	[WP_SIG_CLOSE_ERRORS] = "errors",
};

static void
cells(const struct tui_snap *s, bool wide, struct cell c[8])
{
	int prev_layer = 0;

	memset(c, 0, sizeof(struct cell) * 8);
	for (int i = 0; i < WP_SIG_COUNT; i++) {
		enum wp_signal sig = order[i];
		int layer = wp_signal_layer(sig);
		char pre[4] = "", when[16];

		if (layer != prev_layer || i == 4)
			snprintf(pre, sizeof(pre), "L%d ", layer);
		prev_layer = layer;
		if (s->sig[sig].fired) {
			tui_fmt_clock(when, sizeof(when),
				      tui_mono_to_wall(s->sig[sig].at_ns,
						       s->now_ns, s->wall_ms));
			snprintf(c[i].text, sizeof(c[i].text), "%s%s %s%s", pre,
				 short_name[sig], wide ? "FIRED " : "", when);
			c[i].st = TUI_S_FAIL;
		} else {
			snprintf(c[i].text, sizeof(c[i].text), "%s%s armed",
				 pre, short_name[sig]);
			c[i].st = TUI_S_OK;
		}
	}
	if (!s->have_pool) {
		snprintf(c[7].text, sizeof(c[7].text), "no pool");
		c[7].st = TUI_S_DIM;
	} else if (s->accepting) {
		snprintf(c[7].text, sizeof(c[7].text), "admission open");
		c[7].st = TUI_S_OK;
	} else {
		snprintf(c[7].text, sizeof(c[7].text), "admission CLOSED");
		c[7].st = TUI_S_WARN;
	}
}

static void
draw_row(WINDOW *w, int y, const struct cell *c, int n)
{
	int width = getmaxx(w), col = (width - 1) / n, maxlen = 0, x = 1;

	for (int i = 0; i < n; i++)
		if ((int)strlen(c[i].text) > maxlen)
			maxlen = (int)strlen(c[i].text);
	for (int i = 0; i < n; i++) {
		/* Tab stops when every cell fits its column, packed if not. */
		if (maxlen < col)
			x = 1 + i * col;
		x += tui_put(w, y, x, width - x, c[i].st, c[i].text);
		x += 2;
	}
}

struct titem {
	char lng[40], shrt[24];
	enum tui_style st;
};

static int
threads_items(const struct tui_snap *s, struct titem *t)
{
	const struct wp_metrics *m = &s->live;
	bool live = s->state == WP_STATE_RUNNING || s->state == WP_STATE_PAUSED;
	enum tui_style dead = live ? TUI_S_FAIL : TUI_S_DIM;
	int n = 0;

	memset(t, 0, sizeof(*t) * 12);
#define ITEM(cond_bad, ...)                                                    \
	do {                                                                   \
		t[n].st = (cond_bad) ? dead : TUI_S_NORMAL;                    \
		__VA_ARGS__;                                                   \
		n++;                                                           \
	} while (0)
	ITEM(m->workers_alive < m->workers,
	     snprintf(t[n].lng, 40, "workers %u/%u busy %u", m->workers_alive,
		      m->workers, m->workers_busy),
	     snprintf(t[n].shrt, 24, "wrk %u/%u b%u", m->workers_alive,
		      m->workers, m->workers_busy));
	ITEM(!m->results_alive,
	     snprintf(t[n].lng, 40, "results %d", m->results_alive),
	     snprintf(t[n].shrt, 24, "res %d", m->results_alive));
	ITEM(!m->errors_alive,
	     snprintf(t[n].lng, 40, "errors %d", m->errors_alive),
	     snprintf(t[n].shrt, 24, "err %d", m->errors_alive));
	ITEM(!m->monitor_alive,
	     snprintf(t[n].lng, 40, "monitor %d", m->monitor_alive),
	     snprintf(t[n].shrt, 24, "mon %d", m->monitor_alive));
	ITEM(!m->health_alive,
	     snprintf(t[n].lng, 40, "health %d", m->health_alive),
	     snprintf(t[n].shrt, 24, "hc %d", m->health_alive));
	ITEM(!m->watchdog_alive,
	     snprintf(t[n].lng, 40, "watchdog %d", m->watchdog_alive),
	     snprintf(t[n].shrt, 24, "wd %d", m->watchdog_alive));
	t[n].st = m->orphans > 0 ? TUI_S_WARN : TUI_S_NORMAL;
	if (m->orphan_cap > 0 && m->orphans >= m->orphan_cap)
		t[n].st = TUI_S_FAIL;
	snprintf(t[n].lng, 40, "orphans %u/%u", m->orphans, m->orphan_cap);
	snprintf(t[n].shrt, 24, "orph %u/%u", m->orphans, m->orphan_cap);
	n++;
	if (m->spares > 0) {
		t[n].st = TUI_S_NORMAL;
		snprintf(t[n].lng, 40, "spares %u", m->spares);
		snprintf(t[n].shrt, 24, "sp %u", m->spares);
		n++;
	}
	if (m->stuck > 0) {
		t[n].st = TUI_S_WARN;
		snprintf(t[n].lng, 40, "STUCK %u", m->stuck);
		snprintf(t[n].shrt, 24, "STUCK %u", m->stuck);
		n++;
	}
#undef ITEM
	return n;
}

static void
draw_threads(WINDOW *w, int y, const struct tui_snap *s)
{
	struct titem t[12];
	int n, width = getmaxx(w), len = 8, x;
	bool lng;

	x = 1 + tui_put(w, y, 1, -1, TUI_S_TITLE, "threads ");
	if (!s->have_live) {
		tui_put(w, y, x, -1, TUI_S_DIM, "-");
		return;
	}
	n = threads_items(s, t);
	for (int i = 0; i < n; i++)
		len += (int)strlen(t[i].lng) + 2;
	lng = len <= width;
	for (int i = 0; i < n && x < width; i++) {
		x += tui_put(w, y, x, width - x, t[i].st,
			     lng ? t[i].lng : t[i].shrt);
		x += lng ? 2 : 1;
	}
}

uint64_t
tui_layers_sig(const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	uint64_t h = TUI_HASH_INIT;
	struct titem t[12];
	struct cell c[8];
	int n;

	cells(s, false, c);
	h = tui_hash(h, c, sizeof(c));
	if (s->have_live) {
		n = threads_items(s, t);
		h = tui_hash(h, t, sizeof(t[0]) * (size_t)n);
	}
	return tui_hash(h, &s->state, sizeof(s->state));
}

void
tui_layers_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	int h = getmaxy(w), width = getmaxx(w);
	struct cell c[8];

	werase(w);
	cells(s, width >= 120, c);
	if (h >= 2) {
		draw_row(w, 0, c, 4);
		draw_row(w, 1, c + 4, 4);
	} else {
		draw_row(w, 0, c, 8); /* one row: packed */
	}
	if (h >= 3)
		draw_threads(w, 2, s);
}
