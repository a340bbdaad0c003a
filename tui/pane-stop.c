/*
 * pane-stop.c - the stop view.  While a stop or drain runs, its phases
 * appear one by one with their times, the bounded wait fills a bar
 * against the stop bound, and the threads still alive are listed by name;
 * then the verdict: clean after X ms, or forced after the bound and who
 * was left behind.
 *
 *   -- STOP running 1.3s ------------------------ bound 2.0s --
 *    closed +0.0ms  shutdown +0.1ms  monitor already
 *    health +0.2ms  cancel +0.2ms  wait ...
 *    wait [##########--------] 1.3s / 2.0s
 *    alive 2: wp-worker-1, watchdog
 *
 * It replaces the workers column from the first sign of a stop until the
 * pool is gone: a stopped pool's workers have nothing left to say.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

/* Writes s at (*y, *x), wrapping to the next row (indented) if it does
 * not fit; false once out of rows. */
static bool
flow(WINDOW *w, int *y, int *x, int last_row, enum tui_style st,
     const char *s)
{
	int width = getmaxx(w), len = tui_text_width(s, strlen(s));

	if (*x > 1 && *x + len > width - 1) {
		(*y)++;
		*x = 1;
	}
	if (*y > last_row)
		return false;
	*x += tui_put(w, *y, *x, width - *x, st, s) + 2;
	return true;
}

static void
title(WINDOW *w, const struct tui_snap *s, const struct tui_stop_view *st)
{
	const char *what = st->drain ? "DRAIN+STOP" : "STOP";
	char t[96], r[48], a[16];
	enum tui_style ts = TUI_S_WARN;

	tui_fmt_dur(a, sizeof(a), (int64_t)st->bound_ms * 1000000);
	snprintf(r, sizeof(r), "bound %s", a);
	if (!st->done) {
		tui_fmt_dur(a, sizeof(a), s->now_ns - st->begin_ns);
		snprintf(t, sizeof(t), "%s running %s", what, a);
	} else if (st->forced) {
		tui_fmt_ms(a, sizeof(a), st->total_ms);
		snprintf(t, sizeof(t), "%s FORCED after %s", what, a);
		ts = TUI_S_FAIL;
	} else {
		tui_fmt_ms(a, sizeof(a), st->total_ms);
		snprintf(t, sizeof(t), "%s CLEAN after %s", what, a);
		ts = TUI_S_OK;
	}
	tui_rule(w, 0, ts, t, TUI_S_DIM, r);
}

uint64_t
tui_stop_sig(const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	uint64_t h = tui_hash(TUI_HASH_INIT, &s->stop, sizeof(s->stop));
	int64_t tenth = s->stop.done ? 0
				     : (s->now_ns - s->stop.begin_ns) / 100000000;

	return tui_hash(h, &tenth, sizeof(tenth));
}

void
tui_stop_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	const struct tui_stop_view *st = &s->stop;
	int rows = getmaxy(w) - 1, width = getmaxx(w), y = 1, x = 1;
	int reserve = st->done ? 2 : 1; /* rows kept for bar and verdict */
	double elapsed, frac;
	char buf[96], a[16], b[16];

	werase(w);
	title(w, s, st);
	if (rows <= 0)
		return;

	/* Phases, in order, as far as the stop has got. */
	for (unsigned i = 0; i < st->nphases; i++) {
		const struct tui_phase *p = &st->phase[i];
		if (p->already)
			snprintf(buf, sizeof(buf), "%s already", p->name);
		else
			snprintf(buf, sizeof(buf), "%s +%s", p->name,
				 tui_fmt_ms(a, sizeof(a), p->ms));
		if (!flow(w, &y, &x, rows - reserve, TUI_S_INFO, buf))
			break;
	}
	if (!st->done)
		flow(w, &y, &x, rows - reserve, TUI_S_WARN, "...");
	y++;

	/* The bounded wait against the bound. */
	elapsed = st->done ? st->total_ms
			   : (double)(s->now_ns - st->begin_ns) / 1e6;
	frac = st->bound_ms > 0 ? elapsed / (double)st->bound_ms : 0;
	if (y <= rows) {
		enum tui_style bs = st->done ? (st->forced ? TUI_S_FAIL
							   : TUI_S_OK)
				    : frac >= 0.9 ? TUI_S_FAIL : TUI_S_WARN;
		int bw = width - 1 - 5 - 16;
		x = 1 + tui_put(w, y, 1, -1, TUI_S_NORMAL, "wait ");
		if (bw > 30)
			bw = 30;
		if (bw >= 4) {
			tui_bar(w, y, x, bw, frac, bs);
			x += bw + 1;
		}
		tui_putf(w, y, x, -1, TUI_S_NORMAL, "%s / %s",
			 tui_fmt_ms(a, sizeof(a), elapsed),
			 tui_fmt_ms(b, sizeof(b), (double)st->bound_ms));
		y++;
	}

	/* The verdict. */
	if (st->done && y <= rows) {
		if (st->forced)
			snprintf(buf, sizeof(buf), "FORCED: %u left behind",
				 st->nalive);
		else
			snprintf(buf, sizeof(buf), "CLEAN after %s",
				 tui_fmt_ms(a, sizeof(a), st->total_ms));
		tui_put(w, y++, 1, -1, st->forced ? TUI_S_FAIL : TUI_S_OK, buf);
		if (st->cancelled_queued + st->cancelled_running > 0 &&
		    y <= rows - (st->nalive > 0))
			tui_putf(w, y++, 1, -1, TUI_S_WARN,
				 "cancelled %" PRIu64 " queued, %" PRIu64
				 " running",
				 st->cancelled_queued, st->cancelled_running);
	} else if (!st->done && st->progress[0] != '\0' && y <= rows - 1) {
		tui_put(w, y++, 1, width - 2, TUI_S_DIM, st->progress);
	}

	/* Threads alive (during) or left behind (after), by name. */
	if (y > rows || (st->done && st->nalive == 0))
		return;
	snprintf(buf, sizeof(buf), "%s %u:", st->done ? "left" : "alive",
		 st->nalive);
	x = 1;
	flow(w, &y, &x, rows, st->done ? TUI_S_FAIL : TUI_S_NORMAL, buf);
	for (unsigned i = 0; i < st->nalive; i++) {
		int len = (int)strlen(st->alive[i]);
		bool wrap = x > 1 && x + len > width - 1;
		int ny = wrap ? y + 1 : y, nx = wrap ? 1 : x;
		bool last = i + 1 == st->nalive;

		/* Out of rows, or on the last row with no room left to say
		 * how many more: count the rest instead. */
		if (ny > rows || (ny == rows && !last && nx + len + 6 > width)) {
			snprintf(buf, sizeof(buf), "+%u", st->nalive - i);
			flow(w, &y, &x, rows, TUI_S_DIM, buf);
			break;
		}
		flow(w, &y, &x, rows, st->done ? TUI_S_FAIL : TUI_S_NORMAL,
		     st->alive[i]);
	}
}
