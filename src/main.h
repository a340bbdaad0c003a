/*
 * main.h - the one internal header of src/ (the wpool program).
 */
#ifndef WPOOL_MAIN_H
#define WPOOL_MAIN_H

#include <stdbool.h>

#include "cmd.h"

struct console_opts {
	const char *script; /* run in the console, one line at a time */
	bool step;          /* each script line waits for Enter */
	int pause_ms;       /* between script lines; -1: the console's default */
	bool ascii;
	bool no_color;
	bool test_mode;
	const char *history;
	unsigned refresh_ms;
};

/* What the command line asked for. */
struct main_opts {
	struct cmd_session_opts so;
	struct console_opts co;
	bool headless;
	bool trace;
	bool errexit;
	bool verbose;
	int events; /* -1 default, 0 off, 1 on */
	char **cmds; /* -c texts */
	int ncmds;
	const char *script;
	char *command; /* the words after the options, as one line */
};

/* args.c */
/* Parses argv into *mo (caller zeroes it and sets defaults); exits 2 on a
 * usage error, 0 after --help or --version. */
void main_parse_args(int argc, char **argv, struct main_opts *mo);

/* console.c (links tui/) or console-none.c (stands in without it) */
bool console_available(void);
/* Sets the session options and sink the console needs. */
void console_prepare(struct cmd_session_opts *o, struct cmd_sink *sink);
/* Runs the console; returns its exit code. */
int console_run(struct cmd_session *s, const struct console_opts *co);

#endif
