/*
 * console.h - the one internal header of src/: how main.c opens the
 * console.  console.c links tui/; console-none.c stands in when the tree
 * is built without it (then wpool is headless only).
 */
#ifndef WPOOL_CONSOLE_H
#define WPOOL_CONSOLE_H

#include <stdbool.h>

#include "cmd.h"

struct console_opts {
	const char *script; /* run in the console, one line at a time */
	bool step;          /* each script line waits for Enter */
	bool ascii;
	bool no_color;
	bool test_mode;
	const char *history;
	unsigned refresh_ms;
};

/* console.c / console-none.c */
bool console_available(void);
/* Sets the session options and sink the console needs. */
void console_prepare(struct cmd_session_opts *o, struct cmd_sink *sink);
/* Runs the console; returns its exit code. */
int console_run(struct cmd_session *s, const struct console_opts *co);

#endif
