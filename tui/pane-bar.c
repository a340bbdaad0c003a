/*
 * pane-bar.c - the key bar above the prompt, and the "too small" screen.
 *
 * The bar shows, by priority: a confirmation question, the last failed
 * command (an error line, reverse video without colour, prefixed
 * "ERROR"), what the session is busy with, a console message, and
 * otherwise the keys.  In test mode its right end carries a frame counter
 * that end-to-end tests synchronise on.
 */
#include <stdio.h>
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

static const char keys_long[] =
	"F1 help  PgUp/PgDn events  Tab complete  ^R search  ^C clear  "
	"^L redraw  ^D quit";
static const char keys_short[] = "F1 help PgUp/Dn ^R ^C ^L ^D quit";

static const char *
pick(const struct tui_view *v, enum tui_style *st, char *buf, size_t n)
{
	if (v->confirm != NULL && v->confirm[0] != '\0') {
		*st = TUI_S_ERRBAR;
		snprintf(buf, n, "%s", v->confirm);
	} else if (v->error != NULL && v->error[0] != '\0') {
		*st = TUI_S_ERRBAR;
		snprintf(buf, n, "ERROR: %s", v->error);
	} else if (v->busy != NULL && v->busy[0] != '\0') {
		*st = TUI_S_WARN;
		if (v->progress != NULL && v->progress[0] != '\0')
			snprintf(buf, n, "BUSY %s: %s", v->busy, v->progress);
		else
			snprintf(buf, n, "BUSY %s ...", v->busy);
	} else if (v->hint != NULL && v->hint[0] != '\0') {
		*st = TUI_S_INFO;
		snprintf(buf, n, "%s", v->hint);
	} else {
		*st = TUI_S_DIM;
		buf[0] = '\0';
	}
	return buf;
}

uint64_t
tui_bar_sig(const struct tui_view *v)
{
	enum tui_style st;
	char buf[256];
	uint64_t h;

	pick(v, &st, buf, sizeof(buf));
	h = tui_hash(TUI_HASH_INIT, buf, strlen(buf));
	h = tui_hash(h, &st, sizeof(st));
	if (tui_look.test_mode)
		h = tui_hash(h, &v->frame, sizeof(v->frame));
	return h;
}

void
tui_bar_draw(WINDOW *w, const struct tui_view *v)
{
	int width = getmaxx(w), rw = 0;
	enum tui_style st;
	char buf[256], fr[32];

	pick(v, &st, buf, sizeof(buf));
	wbkgdset(w, ' ' | (st == TUI_S_ERRBAR ? tui_attr(TUI_S_ERRBAR)
					       : A_NORMAL));
	werase(w);
	if (tui_look.test_mode) {
		rw = snprintf(fr, sizeof(fr), " frame %lu", v->frame);
		tui_put(w, 0, width - rw, rw, TUI_S_DIM, fr);
	}
	if (buf[0] != '\0')
		tui_put(w, 0, 0, width - rw, st, buf);
	else
		tui_put(w, 0, 0, width - rw, TUI_S_DIM,
			width - rw >= (int)sizeof(keys_long) ? keys_long
							     : keys_short);
}

uint64_t
tui_small_sig(const struct tui_view *v)
{
	uint64_t h = tui_hash(TUI_HASH_INIT, &v->snap->state,
			      sizeof(v->snap->state));
	int size[2] = {COLS, LINES};

	h = tui_hash(h, &v->snap->have_pool, sizeof(v->snap->have_pool));
	return tui_hash(h, size, sizeof(size));
}

void
tui_small_draw(WINDOW *w, const struct tui_view *v)
{
	const struct tui_snap *s = v->snap;
	int h = getmaxy(w), width = getmaxx(w), y = h / 2 - 2;
	char buf[96];

	werase(w);
	if (y < 0)
		y = 0;
	tui_put(w, y++, 0, width, TUI_S_WARN, "terminal too small");
	snprintf(buf, sizeof(buf), "need %dx%d, have %dx%d", TUI_MIN_COLS,
		 TUI_MIN_LINES, COLS, LINES);
	tui_put(w, y++, 0, width, TUI_S_NORMAL, buf);
	if (s->have_pool) {
		snprintf(buf, sizeof(buf), "pool %s",
			 tui_state_label(s->state));
		tui_put(w, y++, 0, width, TUI_S_NORMAL, buf);
	}
	tui_put(w, y, 0, width, TUI_S_DIM, "the prompt still works");
}

const struct tui_pane_ops tui_pane_ops[TUI_P_COUNT] = {
	[TUI_P_HEADER] = {tui_header_sig, tui_header_draw},
	[TUI_P_LAYERS] = {tui_layers_sig, tui_layers_draw},
	[TUI_P_WORKERS] = {tui_workers_sig, tui_workers_draw},
	[TUI_P_STOP] = {tui_stop_sig, tui_stop_draw},
	[TUI_P_METRICS] = {tui_metrics_sig, tui_metrics_draw},
	[TUI_P_HEALTH] = {tui_health_sig, tui_health_draw},
	[TUI_P_EVENTS] = {tui_events_sig, tui_events_draw},
	[TUI_P_SMALL] = {tui_small_sig, tui_small_draw},
	[TUI_P_BAR] = {tui_bar_sig, tui_bar_draw},
	[TUI_P_PROMPT] = {NULL, NULL}, /* drawn by readline's redisplay */
};
