/*
 * prompt.c - the prompt line: readline's redisplay, done in curses.
 *
 * Drawn from rl_display_prompt (not rl_prompt: Ctrl-R swaps in its own
 * prompt) and rl_line_buffer.  Control characters (a pasted newline too)
 * show as ^X, wide characters take two cells, the \001/\002 markers around
 * invisible prompt text are skipped, and the line scrolls sideways in
 * steps so the cursor stays on screen.  The prompt window is refreshed
 * last in every frame because it owns the hardware cursor.  UI thread
 * only.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <readline/readline.h>

#define WPTUI_INTERNAL
#include "tui.h"

static WINDOW *win;

struct cell {
	char b[8];
	int len, w;
};

static void
cells_add(struct cell **v, size_t *n, size_t *cap, const char *s, int len,
	  int w)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct cell *nv = realloc(*v, nc * sizeof(**v));
		if (nv == NULL)
			return;
		*v = nv;
		*cap = nc;
	}
	memcpy((*v)[*n].b, s, (size_t)len);
	(*v)[*n].len = len;
	(*v)[*n].w = w;
	(*n)++;
}

/* Splits text into display cells; *at gets the cell index of byte point
 * (when point >= 0). */
static void
cells_of(struct cell **v, size_t *n, size_t *cap, const char *s, size_t len,
	 bool prompt, long point, size_t *at)
{
	mbstate_t ps;
	size_t off = 0;

	memset(&ps, 0, sizeof(ps));
	while (off < len) {
		unsigned char c = (unsigned char)s[off];
		wchar_t wc;
		size_t k;
		char ctl[3];

		if (point >= 0 && (long)off <= point)
			*at = *n;
		if (prompt && (c == '\001' || c == '\002')) {
			off++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			ctl[0] = '^';
			ctl[1] = c == 0x7f ? '?' : (char)(c + '@');
			cells_add(v, n, cap, ctl, 2, 2);
			off++;
			continue;
		}
		k = mbrtowc(&wc, s + off, len - off, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0 || k > 7) {
			memset(&ps, 0, sizeof(ps));
			cells_add(v, n, cap, "?", 1, 1);
			off++;
			continue;
		}
		int w = wcwidth(wc);
		cells_add(v, n, cap, s + off, (int)k, w < 0 ? 1 : w);
		off += k;
	}
	if (point >= 0 && (long)len <= point)
		*at = *n;
}

void
tui_input_redisplay(void)
{
	static struct cell *v;
	static size_t cap;
	size_t n = 0, at = 0, pn;
	int width, cur = 0, off = 0, x = 0;
	const char *pr = rl_display_prompt != NULL ? rl_display_prompt : "";

	if (win == NULL)
		return;
	width = getmaxx(win);
	cells_of(&v, &n, &cap, pr, strlen(pr), true, -1, &at);
	pn = n;
	cells_of(&v, &n, &cap, rl_line_buffer, (size_t)rl_end, false,
		 rl_point, &at);
	if (rl_point <= 0)
		at = pn;
	for (size_t i = 0; i < at && i < n; i++)
		cur += v[i].w;
	/* Scroll sideways in steps so the cursor stays on screen. */
	if (cur >= width - 1) {
		int step = width / 3 > 0 ? width / 3 : 1;
		off = (cur - (width - 1)) / step * step + step;
	}
	werase(win);
	for (size_t i = 0, col = 0; i < n; col += (size_t)v[i].w, i++) {
		if ((int)col < off)
			continue;
		if ((int)col - off + v[i].w > width)
			break;
		wattr_on(win, i < pn ? A_BOLD : A_NORMAL, NULL);
		mvwaddnstr(win, 0, (int)col - off, v[i].b, v[i].len);
		wattr_off(win, i < pn ? A_BOLD : A_NORMAL, NULL);
	}
	x = cur - off;
	if (x >= width)
		x = width - 1;
	wmove(win, 0, x);
	wnoutrefresh(win);
	doupdate();
}

void
tui_input_set_window(WINDOW *w)
{
	win = w;
	if (win == NULL)
		return;
	keypad(win, TRUE);
	nodelay(win, TRUE);
	leaveok(win, FALSE);
	rl_set_screen_size(1, getmaxx(win));
}

WINDOW *
tui_prompt_win(void)
{
	return win;
}
