/*
 * console-embed.c - a program that opens the wpool console on its own pool
 * with its own task kind.  (Filled in once commands/ lands.)
 */
#include "tui.h"

int
main(void)
{
	return tui_run(0, 0);
}
