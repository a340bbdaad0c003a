/*
 * console-none.c - stands in for console.c in a build without tui/: wpool
 * then runs headless only.
 */
#include <stdio.h>

#include "main.h"

bool
console_available(void)
{
	return false;
}

void
console_prepare(struct cmd_session_opts *o, struct cmd_sink *sink)
{
	(void)o;
	(void)sink;
}

int
console_run(struct cmd_session *s, const struct console_opts *co)
{
	(void)s;
	(void)co;
	fprintf(stderr, "wpool: built without the console\n");
	return 1;
}
