/*
 * console.c - opens the live console (tui/) over a session.
 */
#include "main.h"
#include "tui.h"

bool
console_available(void)
{
	return true;
}

void
console_prepare(struct cmd_session_opts *o, struct cmd_sink *sink)
{
	tui_session_opts(o);
	tui_sink(sink);
}

int
console_run(struct cmd_session *s, const struct console_opts *co)
{
	struct tui_options to = {
		.refresh_ms = co->refresh_ms,
		.ascii = co->ascii,
		.no_color = co->no_color,
		.script = co->script,
		.step = co->step,
		.pause_ms = co->pause_ms,
		.test_mode = co->test_mode,
		.history = co->history,
	};

	return tui_run(s, &to);
}
