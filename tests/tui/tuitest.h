/*
 * tuitest.h - what the pane tests share: a curses screen with no terminal
 * (newterm on /dev/null), a fixed snapshot, and reading text back.
 */
#ifndef TUITEST_H
#define TUITEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define WPTUI_INTERNAL
#include "tui.h"

#define NOW_NS (1000LL * 1000000000)
#define WALL_MS 1700000000000LL
#define SEC 1000000000LL

extern struct tui_snap snap;
extern struct tui_log log_;

/* cmocka group setup/teardown: the screen and the log. */
int tt_setup(void **state);
int tt_teardown(void **state);
/* A running pool of four workers: two busy (one near its timeout), one
 * idle, one orphan; the monitor stopped 5 s ago; two checks failing. */
void fixture(void);
struct tui_view view(void);
/* Renders pane p into an h x w window at (0, x); caller delwin()s. */
WINDOW *render(enum tui_pane p, int h, int w, int x,
	       const struct tui_view *v);
/* Row y of w; the whole window, rows joined by newlines.  Static
 * buffers, valid until the next call. */
const char *row(WINDOW *w, int y);
const char *text(WINDOW *w);

#define assert_has(hay, needle)                                                \
	do {                                                                   \
		if (strstr((hay), (needle)) == NULL)                           \
			fail_msg("\"%s\" not in:\n%s", (needle), (hay));       \
	} while (0)
#define assert_hasnt(hay, needle)                                              \
	do {                                                                   \
		if (strstr((hay), (needle)) != NULL)                           \
			fail_msg("\"%s\" unexpectedly in:\n%s", (needle),      \
				 (hay));                                       \
	} while (0)

#endif
