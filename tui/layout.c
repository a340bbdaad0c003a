/*
 * layout.c - where each pane goes for a given terminal size.
 *
 * From the top: header (1 line), layers (signals and threads, 3 lines),
 * the middle (workers or the stop view on the left, queues and counters on
 * the right), health, events; then the key bar and the prompt, which are
 * always there.  80x24 shows everything; a taller terminal gives the extra
 * lines to the workers (when there are more workers than rows) and to the
 * events; a wider one widens both columns.
 *
 * As the terminal shrinks, panes collapse in a fixed order: the events
 * pane first, then (below 80 columns) the workers column, then health
 * detail (down to its title line), then metrics detail, then the layers'
 * thread line and second signal row.  When even that does not fit, the
 * screen says "too small" and the prompt keeps working, so the operator can
 * still type `quit` or `stop`.
 */
#include <string.h>

#define WPTUI_INTERNAL
#include "tui.h"

#define SPLIT_MIN_COLS 80
#define LAYERS_FULL 3
#define MID_FULL 10 /* title + 9 lines */
#define MID_MIN 5
#define EVENTS_MIN 3
#define HEALTH_MAX_ITEMS 4

static const char *const pane_names[TUI_P_COUNT] = {
	[TUI_P_HEADER] = "header", [TUI_P_LAYERS] = "layers",
	[TUI_P_WORKERS] = "workers", [TUI_P_STOP] = "stop",
	[TUI_P_METRICS] = "metrics", [TUI_P_HEALTH] = "health",
	[TUI_P_EVENTS] = "events", [TUI_P_SMALL] = "small",
	[TUI_P_BAR] = "bar", [TUI_P_PROMPT] = "prompt",
};

const char *
tui_pane_name(enum tui_pane p)
{
	return p < TUI_P_COUNT ? pane_names[p] : "?";
}

static void
set(struct tui_layout *l, enum tui_pane p, int y, int x, int h, int w)
{
	l->r[p] = (struct tui_rect){.y = y, .x = x, .h = h, .w = w};
}

void
tui_layout_compute(struct tui_layout *l, int cols, int lines,
		   const struct tui_layout_want *want)
{
	int avail, layers, mid, health, events, y;

	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->lines = lines;
	if (lines >= 1)
		set(l, TUI_P_PROMPT, lines - 1, 0, 1, cols);
	if (lines >= 2)
		set(l, TUI_P_BAR, lines - 2, 0, 1, cols);
	if (cols < TUI_MIN_COLS || lines < TUI_MIN_LINES) {
		l->too_small = true;
		if (lines > 2)
			set(l, TUI_P_SMALL, 0, 0, lines - 2, cols);
		return;
	}

	avail = lines - 3; /* header, bar, prompt */
	layers = LAYERS_FULL;
	mid = MID_FULL;
	health = 1 + (int)(want->health < HEALTH_MAX_ITEMS ? want->health
							    : HEALTH_MAX_ITEMS);
	l->split = cols >= SPLIT_MIN_COLS;

	/* Collapse in order until the fixed panes fit: events go first
	 * (they take whatever is left, and vanish below EVENTS_MIN), then
	 * health detail, metrics detail, and the layers' extra rows. */
	while (layers + mid + health > avail) {
		if (health > 1)
			health = 1;
		else if (mid > MID_MIN)
			mid--;
		else if (layers > 1)
			layers--;
		else
			break;
	}
	if (layers + mid + health > avail) {
		l->too_small = true;
		set(l, TUI_P_SMALL, 0, 0, lines - 2, cols);
		return;
	}
	events = avail - layers - mid - health;

	/* A taller terminal: more worker rows (up to half the surplus),
	 * then everything else to the events. */
	if (l->split && !want->stop && (int)want->workers + 1 > mid &&
	    events > 8) {
		int grow = (int)want->workers + 1 - mid;
		if (grow > (events - 6) / 2)
			grow = (events - 6) / 2;
		if (grow > 0) {
			mid += grow;
			events -= grow;
		}
	}
	if (events < EVENTS_MIN) {
		/* Too few for a useful event pane: the spare lines go back
		 * to health items, then to the middle. */
		int spare = events, hmax = 1 + (int)want->health;
		if (hmax > 1 + HEALTH_MAX_ITEMS)
			hmax = 1 + HEALTH_MAX_ITEMS;
		while (spare > 0 && health < hmax) {
			health++;
			spare--;
		}
		mid += spare;
		events = 0;
	}

	y = 0;
	set(l, TUI_P_HEADER, y++, 0, 1, cols);
	set(l, TUI_P_LAYERS, y, 0, layers, cols);
	y += layers;
	if (l->split) {
		int lw = cols * 44 / 100;
		enum tui_pane left = want->stop ? TUI_P_STOP : TUI_P_WORKERS;
		if (lw < 34)
			lw = 34;
		if (lw > 64)
			lw = 64;
		set(l, left, y, 0, mid, lw);
		/* The metrics pane's first column is the separator. */
		set(l, TUI_P_METRICS, y, lw, mid, cols - lw);
	} else {
		/* One column: the stop view, while there is one, matters
		 * more than the counters. */
		set(l, want->stop ? TUI_P_STOP : TUI_P_METRICS, y, 0, mid,
		    cols);
	}
	y += mid;
	set(l, TUI_P_HEALTH, y, 0, health, cols);
	y += health;
	if (events > 0)
		set(l, TUI_P_EVENTS, y, 0, events, cols);
}
