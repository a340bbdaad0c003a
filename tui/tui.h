/*
 * tui.h - the live operator console: an ncurses dashboard over one pool
 * with a GNU readline command pane speaking the language of commands/.
 *
 * The first part is what a program needs to open the console (src/main.c,
 * examples/console-embed.c).  The rest, behind WPTUI_INTERNAL, is the
 * internal header of tui/: a program that embeds the console does not get
 * curses' macros (timeout(), clear(), refresh() ...) in its namespace.
 */
#ifndef WPTUI_H
#define WPTUI_H

#include <stdbool.h>

struct cmd_session;

struct tui_options {
	unsigned refresh_ms; /* 0: 1000; floor TUI_REFRESH_MIN_MS */
	bool ascii;          /* ASCII glyphs even in a UTF-8 locale */
	bool no_color;       /* also when NO_COLOR is set and not empty */
	const char *script;  /* optional file of command lines to run */
	bool step;           /* script: each line waits at the prompt for Enter */
	bool test_mode;      /* ASCII, no colour, frame counter (also env
				WPOOL_TEST=1): a fixed screen for tests */
	const char *history; /* history file; NULL: XDG state dir */
};

/* Runs the console on the calling thread until the operator quits, the
 * terminal hangs up or a termination signal arrives; returns the exit code
 * (cmd_session_exit_code(), or 128 + signal).  Needs stdin and stdout to be
 * a terminal; returns 1 with a message on stderr otherwise.  The session is
 * borrowed: the caller frees it afterwards.  o may be NULL (defaults). */
int tui_run(struct cmd_session *s, const struct tui_options *o);

#ifdef WPTUI_INTERNAL
/* (internal declarations follow in later commits) */
#endif

#endif /* WPTUI_H */
