/*
 * draw.c - the console's drawing vocabulary: styles, glyphs, clipped text,
 * title rules, bars and sparklines.
 *
 * Styles map to colour pairs when the terminal has colour and NO_COLOR is
 * not set, and to plain attributes (bold, reverse, underline) otherwise;
 * callers always add a text cue as well ("FIRED", "[FAIL]", "FROZEN"), so a
 * monochrome screen or a screen reader loses nothing.  Glyphs are UTF-8
 * block and line characters, or ASCII in --ascii, test mode and non-UTF-8
 * locales.  UI thread only.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define WPTUI_INTERNAL
#include "tui.h"

struct tui_look tui_look;

static attr_t style_attr[TUI_S_COUNT];

enum glyph { G_HLINE, G_VLINE, G_FULL, G_EMPTY, G_COUNT };
static const char *const glyph_utf8[G_COUNT] = {"\u2500", "\u2502",
						 "\u2588", "\u00b7"};
static const char *const glyph_ascii[G_COUNT] = {"-", "|", "#", "-"};
static const char *const spark_utf8[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584",
	"\u2585", "\u2586", "\u2587", "\u2588"};
static const char *const spark_ascii[8] = {"_", ".", ",", "-",
					    "~", "=", "*", "#"};
/* Left-aligned eighths for the bar's last cell: 1/8 .. 7/8. */
static const char *const eighth_utf8[8] = {
	" ", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a",
	"\u2589"};

static const char *
glyph(enum glyph g)
{
	return tui_look.utf8 ? glyph_utf8[g] : glyph_ascii[g];
}

void
tui_draw_init(bool utf8, bool color, bool test_mode)
{
	static const struct {
		short fg, bg;
		attr_t extra, mono;
	} map[TUI_S_COUNT] = {
		[TUI_S_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
		[TUI_S_DIM] = {-1, -1, A_DIM, A_DIM},
		[TUI_S_TITLE] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
		[TUI_S_HEAD] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
		[TUI_S_OK] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
		[TUI_S_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
		[TUI_S_FAIL] = {COLOR_WHITE, COLOR_RED, A_BOLD,
				A_REVERSE | A_BOLD},
		[TUI_S_INFO] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
		[TUI_S_FROZEN] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD,
				  A_REVERSE | A_UNDERLINE},
		[TUI_S_ERRBAR] = {COLOR_WHITE, COLOR_RED, A_BOLD,
				  A_REVERSE | A_BOLD},
		[TUI_S_CMD] = {COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
	};

	tui_look.utf8 = utf8 && !test_mode;
	tui_look.test_mode = test_mode;
	tui_look.color = color && !test_mode && has_colors();
	if (tui_look.color) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < TUI_S_COUNT; i++) {
		if (!tui_look.color) {
			style_attr[i] = map[i].mono;
			continue;
		}
		if (map[i].fg == -1 && map[i].bg == -1) {
			style_attr[i] = map[i].extra;
			continue;
		}
		init_pair((short)i, map[i].fg, map[i].bg);
		style_attr[i] = COLOR_PAIR(i) | map[i].extra;
	}
}

attr_t
tui_attr(enum tui_style st)
{
	return style_attr[st];
}

/* Bytes of s that fit in maxw columns; *cols gets the columns used. */
static size_t
fit(const char *s, int maxw, int *cols)
{
	mbstate_t ps;
	size_t len = strlen(s), off = 0;
	int w = 0;

	memset(&ps, 0, sizeof(ps));
	while (off < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + off, len - off, &ps);
		int cw;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		cw = wcwidth(wc);
		if (cw < 0)
			break; /* callers pass no control characters */
		if (w + cw > maxw)
			break;
		w += cw;
		off += k;
	}
	*cols = w;
	return off;
}

int
tui_put(WINDOW *w, int y, int x, int maxw, enum tui_style st, const char *s)
{
	int room = getmaxx(w) - x, cols;
	size_t n;

	if (y < 0 || y >= getmaxy(w) || x < 0 || room <= 0)
		return 0;
	if (maxw < 0 || maxw > room)
		maxw = room;
	n = fit(s, maxw, &cols);
	if (n == 0)
		return 0;
	wattr_on(w, tui_attr(st), NULL);
	mvwaddnstr(w, y, x, s, (int)n);
	wattr_off(w, tui_attr(st), NULL);
	return cols;
}

int
tui_putf(WINDOW *w, int y, int x, int maxw, enum tui_style st,
	 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(w, y, x, maxw, st, buf);
}

static void
repeat(WINDOW *w, int y, int x, int n, const char *g)
{
	for (int i = 0; i < n; i++)
		mvwaddstr(w, y, x + i, g);
}

void
tui_rule(WINDOW *w, int y, enum tui_style st, const char *title,
	 enum tui_style rst, const char *right)
{
	int width = getmaxx(w), x = 1, rw = 0, cols;

	wattr_on(w, tui_attr(TUI_S_DIM), NULL);
	repeat(w, y, 0, width, glyph(G_HLINE));
	wattr_off(w, tui_attr(TUI_S_DIM), NULL);
	if (right != NULL && right[0] != '\0') {
		int tw = title != NULL ? tui_text_width(title, strlen(title)) : 0;
		fit(right, width - 4, &rw);
		rw += 2;
		if (1 + tw + 2 + rw + 1 > width)
			rw = 0; /* both do not fit: the title wins */
	}
	if (title != NULL && title[0] != '\0') {
		char buf[160];
		snprintf(buf, sizeof(buf), " %s ", title);
		x += tui_put(w, y, x, width - 2 - rw, st, buf);
	}
	if (rw > 0 && width - 1 - rw > x) {
		char buf[200];
		snprintf(buf, sizeof(buf), " %s ", right);
		fit(buf, rw, &cols);
		tui_put(w, y, width - 1 - cols, cols, rst, buf);
	}
}

void
tui_vline(WINDOW *w, int x, int y0, int h)
{
	wattr_on(w, tui_attr(TUI_S_DIM), NULL);
	for (int y = y0; y < y0 + h; y++)
		mvwaddstr(w, y, x, glyph(G_VLINE));
	wattr_off(w, tui_attr(TUI_S_DIM), NULL);
}

void
tui_bar(WINDOW *w, int y, int x, int width, double frac, enum tui_style st)
{
	int inner = width - 2, full, eighths;

	if (inner < 1)
		return;
	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	eighths = (int)(frac * inner * 8 + 0.5);
	full = eighths / 8;
	mvwaddstr(w, y, x, "[");
	wattr_on(w, tui_attr(st), NULL);
	repeat(w, y, x + 1, full, glyph(G_FULL));
	wattr_off(w, tui_attr(st), NULL);
	if (full < inner) {
		int rest = inner - full;
		if (tui_look.utf8 && eighths % 8 != 0) {
			wattr_on(w, tui_attr(st), NULL);
			mvwaddstr(w, y, x + 1 + full, eighth_utf8[eighths % 8]);
			wattr_off(w, tui_attr(st), NULL);
			full++;
			rest--;
		} else if (!tui_look.utf8 && eighths % 8 >= 4) {
			mvwaddstr(w, y, x + 1 + full, "=");
			full++;
			rest--;
		}
		wattr_on(w, tui_attr(TUI_S_DIM), NULL);
		repeat(w, y, x + 1 + full, rest, glyph(G_EMPTY));
		wattr_off(w, tui_attr(TUI_S_DIM), NULL);
	}
	mvwaddstr(w, y, x + 1 + inner, "]");
}

void
tui_spark(WINDOW *w, int y, int x, int width, const double *v, unsigned n)
{
	unsigned first = n > (unsigned)width ? n - (unsigned)width : 0;
	double max = 0;

	for (unsigned i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	wattr_on(w, tui_attr(TUI_S_INFO), NULL);
	for (unsigned i = first; i < n; i++) {
		int lv = max > 0 ? (int)(v[i] / max * 7 + 0.5) : 0;
		if (lv < 0)
			lv = 0;
		if (lv > 7)
			lv = 7;
		mvwaddstr(w, y, x + (int)(i - first),
			  tui_look.utf8 ? spark_utf8[lv] : spark_ascii[lv]);
	}
	wattr_off(w, tui_attr(TUI_S_INFO), NULL);
}
