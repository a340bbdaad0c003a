/*
 * line.c - what happens to a line the operator entered.
 *
 * Most lines go to the session (cmd_session_exec(), async: long commands
 * run on its runner and report through the sink).  A few belong to the
 * console itself: `help [CMD]` and `?` fill the help pane, `refresh DUR`
 * sets the redraw interval, `clear` empties the event pane, and a bare
 * `quit`/`exit` (or Ctrl-D) asks for confirmation while the pool still
 * runs before the session's `quit` stops it gracefully.  A pasted line
 * with newlines runs as several lines, only when the operator presses
 * Enter.  UI thread only.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define WPTUI_INTERNAL
#include "tui.h"

static const char *const console_help[] = {
	"",
	"Console keys:",
	"  F1            this help (F1 or Esc closes it)",
	"  PgUp/PgDn     scroll the event pane (or this help)",
	"  Tab           complete commands, arguments and setting names",
	"  Up/Down ^R    history (kept between runs), reverse search",
	"  Ctrl-C        clear the line; on an empty line, interrupt a long "
	"command",
	"  Ctrl-L        redraw          Ctrl-Z  suspend",
	"  Ctrl-D, quit  stop the pool gracefully (asks first) and leave",
	"Console commands:",
	"  help [CMD]    help on the command language, or one command",
	"  refresh DUR   redraw interval (default 1s, at least 250ms)",
	"  clear         empty the event pane",
	NULL,
};

static void
echo_line(struct tui *t, const char *line)
{
	tui_log_add(&t->log, TUI_LOG_CMD, -1, t->snap.wall_ms, line);
}

/* Re-flows the help text to the screen width: a long line breaks at a
 * blank, its continuation indented two past the line's own indent. */
static void
wrap(struct tui_log *l, int width)
{
	unsigned n = l->n;
	struct tui_logline *old = malloc(sizeof(*old) * (n ? n : 1));

	if (old == NULL || width < 20) {
		free(old);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		old[i] = *tui_log_at(l, i);
	tui_log_clear(l);
	for (unsigned i = 0; i < n; i++) {
		const char *p = old[i].text;
		int cont = (int)strspn(p, " ") + 2, pre = 0;
		char buf[TUI_LINE_MAX + 64];

		for (;;) {
			int room = width - pre, len = (int)strlen(p), cut;
			if (len <= room) {
				snprintf(buf, sizeof(buf), "%*s%s", pre, "", p);
				tui_log_add(l, old[i].kind, -1, 0, buf);
				break;
			}
			for (cut = room; cut > 8 && p[cut] != ' '; cut--)
				;
			if (p[cut] != ' ')
				cut = room;
			snprintf(buf, sizeof(buf), "%*s%.*s", pre, "", cut, p);
			tui_log_add(l, old[i].kind, -1, 0, buf);
			p += cut;
			while (*p == ' ')
				p++;
			if (*p == '\0')
				break;
			pre = cont;
		}
	}
	free(old);
}

void
tui_line_help(struct tui *t, const char *topic)
{
	tui_log_clear(&t->help);
	tui_sink_capture(true);
	cmd_help(t->s, topic);
	tui_sink_capture(false);
	if (topic == NULL)
		for (int i = 0; console_help[i] != NULL; i++)
			tui_log_add(&t->help, TUI_LOG_OUT, -1, 0,
				    console_help[i]);
	wrap(&t->help, COLS - 3);
	t->help.scroll = t->help.n; /* from the top */
	t->help_on = true;
	t->popup_on = false;
	tui_screen_touch(t);
}

static void
do_quit(struct tui *t)
{
	echo_line(t, "quit");
	t->quitting = true;
	snprintf(t->hint, sizeof(t->hint), "stopping the pool, then quitting");
	if (cmd_session_exec(t->s, "quit") != 0) {
		t->quitting = false;
		t->hint[0] = '\0';
	}
	t->gather_now = true;
}

void
tui_line_quit(struct tui *t)
{
	wp_pool *p = tui_pool_enter(t);
	enum wp_pool_state st = p != NULL ? wp_pool_state(p) : WP_STATE_STOPPED;
	struct wp_metrics m;
	uint64_t inflight = 0, bound = 0;

	if (p != NULL && wp_pool_metrics(p, &m) == 0)
		inflight = m.in_flight;
	if (p != NULL)
		wp_pool_get_option(p, WP_OPT_STOP_TIMEOUT_MS, &bound);
	tui_pool_leave(t);
	if (st == WP_STATE_RUNNING || st == WP_STATE_PAUSED) {
		char b[16];
		tui_fmt_dur(b, sizeof(b), (int64_t)bound * 1000000);
		snprintf(t->confirm, sizeof(t->confirm),
			 "Quit? [y/N] The pool is %s with %llu in flight: it "
			 "stops gracefully first (bound %s)",
			 tui_state_label(st), (unsigned long long)inflight, b);
		return;
	}
	do_quit(t);
}

void
tui_line_answer(struct tui *t, bool yes)
{
	t->confirm[0] = '\0';
	if (yes) {
		do_quit(t);
	} else {
		snprintf(t->hint, sizeof(t->hint), "quit cancelled");
		tui_input_clear_line();
	}
}

/* The first word of line into w (lower bound of its size: 32); returns
 * what follows it, blanks skipped. */
static const char *
first_word(const char *line, char *w, size_t n)
{
	size_t k = 0;

	while (*line == ' ')
		line++;
	while (*line != '\0' && *line != ' ' && k + 1 < n)
		w[k++] = *line++;
	w[k] = '\0';
	while (*line == ' ')
		line++;
	return line;
}

static void
run_one(struct tui *t, const char *line)
{
	char w[32];
	const char *rest = first_word(line, w, sizeof(w));
	bool simple = strchr(line, ';') == NULL;

	if (simple && (strcmp(w, "help") == 0 || strcmp(w, "?") == 0)) {
		tui_line_help(t, rest[0] != '\0' ? rest : NULL);
		return;
	}
	if (simple && strcmp(w, "refresh") == 0) {
		int64_t ms = rest[0] != '\0' ? tui_parse_ms(rest) : -1;
		if (ms < 0) {
			snprintf(t->error, sizeof(t->error),
				 "refresh DUR: a duration like 500ms or 2s");
			return;
		}
		if (ms < TUI_REFRESH_MIN_MS)
			ms = TUI_REFRESH_MIN_MS;
		if (ms > TUI_REFRESH_MAX_MS)
			ms = TUI_REFRESH_MAX_MS;
		t->refresh_ms = (unsigned)ms;
		snprintf(t->hint, sizeof(t->hint), "refresh every %lldms",
			 (long long)ms);
		t->gather_now = true;
		return;
	}
	if (simple && strcmp(w, "clear") == 0 && rest[0] == '\0') {
		tui_log_clear(&t->log);
		return;
	}
	if (simple &&
	    (strcmp(w, "quit") == 0 || strcmp(w, "exit") == 0 ||
	     strcmp(w, "q") == 0) &&
	    rest[0] == '\0') {
		tui_line_quit(t);
		return;
	}
	echo_line(t, line);
	if (cmd_session_exec(t->s, line) != 0 && !t->err_seen) {
		/* The error line is on its way through the sink; if it
		 * has not arrived, say something now. */
		snprintf(t->error, sizeof(t->error), "'%.100s' failed", line);
	}
	t->gather_now = true;
}

void
tui_line_run(struct tui *t, const char *line)
{
	char *copy = strdup(line), *p, *nl;

	t->error[0] = '\0';
	t->hint[0] = '\0';
	t->err_seen = false;
	t->step_waiting = false;
	if (t->help_on) {
		t->help_on = false;
		tui_screen_touch(t);
	}
	if (copy == NULL)
		return;
	/* A paste may hold several lines: each runs, in order. */
	for (p = copy; p != NULL && !t->quitting && t->confirm[0] == '\0';
	     p = nl) {
		char *e;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*p != '\0')
			run_one(t, p);
	}
	free(copy);
}

#define SCRIPT_PAUSE_MS 1500

int
tui_script_pause_ms(const struct tui *t)
{
	return t->opt.pause_ms < 0 ? SCRIPT_PAUSE_MS : t->opt.pause_ms;
}

void
tui_line_script(struct tui *t)
{
	const char *line;

	if (t->script == NULL || t->step_waiting || t->quitting ||
	    t->confirm[0] != '\0' || t->busy || cmd_session_busy(t->s))
		return;
	if (!t->opt.step && t->script_next_ns > tui_mono_ns())
		return;
	line = cmd_script_next(t->script);
	if (line == NULL) {
		snprintf(t->hint, sizeof(t->hint), "script %s done",
			 cmd_script_name(t->script));
		cmd_script_free(t->script);
		t->script = NULL;
		return;
	}
	if (t->opt.step) {
		tui_input_prefill(line);
		snprintf(t->hint, sizeof(t->hint),
			 "script line %u: Enter runs it (edit it first if you "
			 "like)",
			 cmd_script_lineno(t->script));
		t->step_waiting = true;
		return;
	}
	tui_line_run(t, line);
	/* Unpaced, a script would be over before anyone saw the screen. */
	t->script_next_ns = tui_mono_ns() + (int64_t)tui_script_pause_ms(t) *
						    1000000LL;
	if (tui_script_pause_ms(t) > 0)
		snprintf(t->hint, sizeof(t->hint),
			 "script %s: line %u ran; next in %.1fs",
			 cmd_script_name(t->script),
			 cmd_script_lineno(t->script),
			 tui_script_pause_ms(t) / 1000.0);
}
