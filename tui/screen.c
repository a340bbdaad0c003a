/*
 * screen.c - windows for the layout, and frames.
 *
 * One curses window per pane rectangle, rebuilt when the layout changes
 * (resize, the stop view appearing, more failing checks).  A frame draws
 * only the panes whose signature changed, then the overlays (help,
 * completion matches) on top, then the prompt last because it owns the
 * hardware cursor; curses sends the terminal only the cells that differ.
 * An idle console redraws the header's clock once a second and nothing
 * else.  UI thread only.
 */
#include <string.h>
#include <sys/ioctl.h>

#define WPTUI_INTERNAL
#include "tui.h"

static void
free_windows(struct tui *t)
{
	for (int p = 0; p < TUI_P_COUNT; p++) {
		if (t->win[p] != NULL)
			delwin(t->win[p]);
		t->win[p] = NULL;
	}
	if (t->overlay != NULL)
		delwin(t->overlay);
	t->overlay = NULL;
}

static void
make_windows(struct tui *t)
{
	for (int p = 0; p < TUI_P_COUNT; p++) {
		const struct tui_rect *r = &t->lay.r[p];
		if (r->h <= 0 || r->w <= 0)
			continue;
		t->win[p] = newwin(r->h, r->w, r->y, r->x);
		if (t->win[p] != NULL && p != TUI_P_PROMPT)
			leaveok(t->win[p], TRUE);
	}
	tui_input_set_window(t->win[TUI_P_PROMPT]);
}

void
tui_screen_free(struct tui *t)
{
	tui_input_set_window(NULL);
	free_windows(t);
	memset(&t->lay, 0, sizeof(t->lay));
}

void
tui_screen_touch(struct tui *t)
{
	t->force = true;
	clearok(curscr, TRUE);
}

/* SIGWINCH.  resizeterm() queues a KEY_RESIZE for the application (even
 * when the size did not change), which comes back through wgetch() as
 * TUI_ACT_RESIZE: that one only relayouts, or the two would feed each
 * other forever. */
void
tui_screen_resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && is_term_resized(ws.ws_row, ws.ws_col))
		resizeterm(ws.ws_row, ws.ws_col);
	tui_screen_touch(t);
}

static struct tui_view
view(const struct tui *t)
{
	struct tui_view v = {
		.snap = &t->snap,
		.log = &t->log,
		.refresh_ms = t->refresh_ms,
		.frame = t->frame,
		.confirm = t->confirm,
		.error = t->error,
		.busy = t->busy ? t->busy_what : NULL,
		.progress = t->progress,
		.hint = t->hint,
	};
	return v;
}

/* The overlay's rectangle: help covers the middle, completion matches
 * sit just above the key bar. */
static bool
overlay_rect(const struct tui *t, struct tui_rect *r)
{
	const struct tui_rect *bar = &t->lay.r[TUI_P_BAR];
	int top = t->lay.too_small ? 0 : 1, room = bar->y - top;

	if (room < 2 || bar->h == 0)
		return false;
	if (t->help_on) {
		*r = (struct tui_rect){top, 0, room, t->lay.cols};
		return true;
	}
	if (t->popup_on) {
		int h = (int)t->popup.n + 1;
		if (h > room)
			h = room;
		*r = (struct tui_rect){bar->y - h, 0, h, t->lay.cols};
		return true;
	}
	return false;
}

static bool
draw_overlay(struct tui *t, bool under_changed)
{
	static struct tui_rect last;
	static uint64_t last_sig;
	struct tui_rect r;
	const struct tui_log *l = t->help_on ? &t->help : &t->popup;
	uint64_t sig;

	if (!overlay_rect(t, &r)) {
		if (t->overlay != NULL) {
			delwin(t->overlay);
			t->overlay = NULL;
		}
		return false;
	}
	sig = tui_hash(TUI_HASH_INIT, &l->gen, sizeof(l->gen));
	sig = tui_hash(sig, &l->scroll, sizeof(l->scroll));
	sig = tui_hash(sig, &t->help_on, sizeof(t->help_on));
	if (t->overlay == NULL || memcmp(&r, &last, sizeof(r)) != 0) {
		if (t->overlay != NULL)
			delwin(t->overlay);
		t->overlay = newwin(r.h, r.w, r.y, r.x);
		if (t->overlay == NULL)
			return false;
		leaveok(t->overlay, TRUE);
		last = r;
		last_sig = sig + 1;
	}
	if (sig != last_sig) {
		tui_log_draw(t->overlay, l,
			     t->help_on ? "HELP (F1 or Esc closes; PgUp/PgDn)"
					: "COMPLETIONS");
		last_sig = sig;
		under_changed = true;
	}
	if (under_changed) {
		touchwin(t->overlay);
		wnoutrefresh(t->overlay);
	}
	return under_changed;
}

void
tui_screen_frame(struct tui *t)
{
	struct tui_layout_want want = {
		.stop = t->snap.stop.seen,
		.health = tui_health_failing(&t->snap),
		.workers = (unsigned)t->snap.workers_total,
	};
	struct tui_layout nl;
	struct tui_view v;
	bool any = false;
	uint64_t sig;

	tui_layout_compute(&nl, COLS, LINES, &want);
	if (memcmp(&nl, &t->lay, sizeof(nl)) != 0) {
		free_windows(t);
		t->lay = nl;
		make_windows(t);
		t->force = true;
	}
	if (t->force) {
		/* Cells no pane covers (a shrunk layout) must not keep old
		 * text. */
		werase(stdscr);
		wnoutrefresh(stdscr);
	}
	v = view(t);
	for (int p = 0; p < TUI_P_COUNT; p++) {
		if (p == TUI_P_BAR || p == TUI_P_PROMPT || t->win[p] == NULL)
			continue;
		sig = tui_pane_ops[p].sig(&v);
		if (!t->force && sig == t->sig[p])
			continue;
		tui_pane_ops[p].draw(t->win[p], &v);
		wnoutrefresh(t->win[p]);
		t->sig[p] = sig;
		any = true;
	}
	if (any)
		v.frame = ++t->frame;
	if (t->win[TUI_P_BAR] != NULL) {
		sig = tui_bar_sig(&v);
		if (t->force || sig != t->sig[TUI_P_BAR]) {
			if (!any)
				v.frame = ++t->frame;
			tui_bar_draw(t->win[TUI_P_BAR], &v);
			wnoutrefresh(t->win[TUI_P_BAR]);
			t->sig[TUI_P_BAR] = tui_bar_sig(&v);
			any = true;
		}
	}
	if (draw_overlay(t, any || t->force))
		any = true;
	if (any || t->force)
		tui_input_redisplay(); /* the prompt last, then doupdate() */
	t->force = false;
}
