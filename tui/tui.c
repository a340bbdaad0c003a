/*
 * tui.c - the console's run loop (placeholder until the panes land).
 */
#include <stdio.h>

#define WPTUI_INTERNAL
#include "tui.h"

int
tui_run(struct cmd_session *s, const struct tui_options *o)
{
	(void)s;
	(void)o;
	fprintf(stderr, "wpool: the console is not built yet\n");
	return 1;
}
