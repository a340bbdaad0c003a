/*
 * pane-workers.c - one row per worker slot, then the orphan threads:
 *
 *   w0  busy  #1234 sleep       1.2s [###   ]
 *   w1  idle                               -
 *   --  ORPH  #1200 hang       12.0s [######]!
 *
 * The bar is the time running against the task's own timeout; past 90 %
 * it turns to the failing style, and a task past its deadline gets a "!".
 * When there are more workers than rows, busy and orphaned ones are shown
 * first and the last row counts the rest.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

static const char *
state_text(const struct wp_worker_info *w, bool wide, enum tui_style *st)
{
	if (w->orphan) {
		*st = TUI_S_WARN;
		return wide ? "ORPHAN" : "ORPH";
	}
	switch (w->state) {
	case WP_WORKER_IDLE:
		*st = TUI_S_DIM;
		return "idle";
	case WP_WORKER_BUSY:
		*st = TUI_S_OK;
		return "busy";
	case WP_WORKER_EXITED:
		*st = TUI_S_DIM;
		return wide ? "exited" : "exit";
	case WP_WORKER_ORPHANED:
		*st = TUI_S_FAIL;
		return wide ? "ORPHANED" : "ORPH";
	}
	*st = TUI_S_NORMAL;
	return "?";
}

static bool
interesting(const struct wp_worker_info *w)
{
	return w->orphan || w->state == WP_WORKER_BUSY ||
	       w->state == WP_WORKER_ORPHANED;
}

static void
row(WINDOW *w, int y, const struct wp_worker_info *wi, int width)
{
	bool wide = width >= 56;
	int sw = wide ? 8 : 4, barw = width >= 44 ? 10 : 6, x = 1, kindw;
	char id[12], task[24], t[16];
	enum tui_style st;
	const char *stt = state_text(wi, wide, &st);

	if (wi->slot >= 0)
		snprintf(id, sizeof(id), "w%d", wi->slot);
	else
		snprintf(id, sizeof(id), "--");
	x += tui_putf(w, y, x, 4, TUI_S_NORMAL, "%-4s", id);
	x += tui_putf(w, y, x, sw + 1, st, "%-*s", sw, stt) + 1;
	if (wi->state == WP_WORKER_EXITED ||
	    (wi->state == WP_WORKER_IDLE && !wi->orphan)) {
		if (wide && wi->tasks_done > 0)
			tui_putf(w, y, width - 16, 16, TUI_S_DIM, "done %" PRIu64,
				 wi->tasks_done);
		return;
	}
	snprintf(task, sizeof(task), "#%" PRIu64, wi->task_id);
	x += tui_put(w, y, x, -1, TUI_S_NORMAL, task) + 1;
	kindw = width - x - 1 - 6 - 1 - barw - 1;
	if (kindw < 3) {
		barw = 0;
		kindw = width - x - 1 - 6 - 1;
	}
	if (kindw > 0)
		tui_putf(w, y, x, kindw, TUI_S_NORMAL, "%-*.*s", kindw, kindw,
			 wi->kind);
	x += kindw > 0 ? kindw + 1 : 0;
	tui_fmt_dur(t, sizeof(t), wi->running_ns);
	x += tui_putf(w, y, x, 6, TUI_S_NORMAL, "%6s", t) + 1;
	if (barw == 0)
		return;
	if (wi->timeout_ns > 0) {
		double f = (double)wi->running_ns / (double)wi->timeout_ns;
		enum tui_style bs = f >= 0.9 ? TUI_S_FAIL
				    : f >= 0.5 ? TUI_S_WARN : TUI_S_OK;
		tui_bar(w, y, x, barw, f, bs);
		if (f >= 1)
			tui_put(w, y, x + barw, 1, TUI_S_FAIL, "!");
	} else {
		tui_put(w, y, x, barw, TUI_S_DIM,
			barw >= 10 ? "  no limit" : "  -");
	}
}

uint64_t
tui_workers_sig(const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	uint64_t h = TUI_HASH_INIT;

	h = tui_hash(h, &s->workers_total, sizeof(s->workers_total));
	for (size_t i = 0; i < s->nworkers; i++) {
		const struct wp_worker_info *w = &s->workers[i];
		/* Running time to a tenth of a second: that is what shows. */
		int64_t tenth = w->running_ns / 100000000;
		h = tui_hash(h, &w->slot, sizeof(w->slot));
		h = tui_hash(h, &w->state, sizeof(w->state));
		h = tui_hash(h, &w->orphan, sizeof(w->orphan));
		h = tui_hash(h, &w->task_id, sizeof(w->task_id));
		h = tui_hash(h, w->kind, strlen(w->kind));
		h = tui_hash(h, &tenth, sizeof(tenth));
		h = tui_hash(h, &w->tasks_done, sizeof(w->tasks_done));
	}
	return h;
}

void
tui_workers_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	int width = getmaxx(w), rows = getmaxy(w) - 1, y = 1;
	unsigned busy = 0, shown = 0, orphans = 0;
	char title[64], right[40] = "";

	werase(w);
	for (size_t i = 0; i < s->nworkers; i++) {
		orphans += s->workers[i].orphan;
		busy += !s->workers[i].orphan && interesting(&s->workers[i]);
	}
	if (orphans > 0)
		snprintf(title, sizeof(title), "WORKERS %zu, %u busy, %u orphaned",
			 s->workers_total - orphans, busy, orphans);
	else
		snprintf(title, sizeof(title), "WORKERS %zu, %u busy",
			 s->workers_total, busy);
	if (s->task_timeout_ms > 0) {
		char t[16];
		tui_fmt_dur(t, sizeof(t), (int64_t)s->task_timeout_ms * 1000000);
		snprintf(right, sizeof(right), "timeout %s", t);
	}
	tui_rule(w, 0, TUI_S_TITLE, title, TUI_S_DIM, right);
	if (!s->have_pool || rows <= 0)
		return;

	if (s->workers_total <= (size_t)rows) {
		for (size_t i = 0; i < s->nworkers; i++)
			row(w, y++, &s->workers[i], width);
		return;
	}
	/* Too many: the busy and orphaned first, in slot order, then the
	 * others; the last row says how many are not shown. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->nworkers && y < rows; i++) {
			if (interesting(&s->workers[i]) != (pass == 0))
				continue;
			row(w, y++, &s->workers[i], width);
			shown++;
		}
	tui_putf(w, rows, 1, width - 1, TUI_S_DIM, "+%zu more",
		 s->workers_total - shown);
}
