/*
 * tui.c - the console's run loop.
 *
 * DESIGN: one UI thread (the caller of tui_run) owns curses, readline and
 * every field of struct tui.  It sleeps in poll() on three descriptors:
 * the terminal, the sink's eventfd (session threads: replies, busy, pool
 * events, published snapshots) and the self-pipe of term.c (WINCH, CONT,
 * TERM, INT, HUP).  Each wake-up handles what arrived, re-reads the pool
 * when it is time (every refresh, 100 ms while a stop is watched or a
 * long command runs, at once on a pool event or a published snapshot) and
 * draws a frame with only what changed.  Nothing here blocks: commands run
 * in the session's async mode and report through the sink.
 *
 * It ends when the session's `quit` has finished its stop, on TERM, INT
 * or HUP, or when the terminal hangs up; the terminal is restored on
 * every one of those paths (and on a crash, by term.c).
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define WPTUI_INTERNAL
#include "tui.h"

static struct tui the_tui; /* one console per process */

int64_t
tui_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
gather(struct tui *t)
{
	unsigned period;
	wp_pool *p = tui_pool_enter(t);

	tui_gather(&t->g, p, &t->snap, &t->log);
	tui_pool_leave(t);
	period = (t->snap.stop.seen && !t->snap.stop.done) || t->busy
			 ? TUI_STOP_TICK_MS
			 : t->refresh_ms;
	t->last_gather_ns = tui_mono_ns();
	t->next_gather_ns = t->last_gather_ns + (int64_t)period * 1000000;
	t->gather_now = false;
}

static void
page(struct tui *t, int dir)
{
	struct tui_log *l = t->help_on ? &t->help : &t->log;
	const struct tui_rect *r = &t->lay.r[TUI_P_EVENTS];
	int rows = t->help_on ? t->lay.r[TUI_P_BAR].y - 2 : r->h - 1;

	if (rows < 1)
		rows = 1;
	tui_log_scroll(l, dir * (rows > 2 ? rows - 1 : rows), (unsigned)rows);
}

void
tui_on_action(struct tui *t, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_NONE:
		break;
	case TUI_ACT_REDRAW:
		tui_screen_touch(t);
		break;
	case TUI_ACT_SUSPEND:
		tui_term_suspend();
		tui_screen_touch(t);
		break;
	case TUI_ACT_HELP:
		if (t->help_on) {
			t->help_on = false;
			tui_screen_touch(t);
		} else {
			tui_line_help(t, NULL);
		}
		break;
	case TUI_ACT_PGUP:
		page(t, 1);
		break;
	case TUI_ACT_PGDN:
		page(t, -1);
		break;
	case TUI_ACT_RESIZE: /* KEY_RESIZE: curses has the new size */
		tui_screen_touch(t);
		break;
	case TUI_ACT_INTR:
		/* Ctrl-C: close what is open, else clear the line, else
		 * interrupt a long command (the stop itself goes on). */
		t->error[0] = '\0';
		if (t->help_on || t->popup_on) {
			t->help_on = t->popup_on = false;
			tui_screen_touch(t);
		} else if (tui_input_empty() && t->busy) {
			cmd_session_interrupt(t->s);
			snprintf(t->hint, sizeof(t->hint),
				 "interrupt sent to '%s'", t->busy_what);
		}
		tui_input_clear_line();
		break;
	case TUI_ACT_ESC:
		t->help_on = false;
		tui_screen_touch(t);
		break;
	case TUI_ACT_YES:
	case TUI_ACT_NO:
		tui_line_answer(t, a == TUI_ACT_YES);
		break;
	}
}

static void
handle_signals(struct tui *t)
{
	unsigned char b[32];
	ssize_t n;

	while ((n = read(tui_term_sigfd(), b, sizeof(b))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			switch (b[i]) {
			case SIGWINCH:
				tui_screen_resize(t);
				break;
			case SIGCONT:
				reset_prog_mode();
				tui_term_paste(true);
				tui_screen_touch(t);
				break;
			case SIGTSTP: /* kill -TSTP: as Ctrl-Z */
				tui_on_action(t, TUI_ACT_SUSPEND);
				break;
			default: /* TERM, INT, HUP */
				t->signo = b[i];
				t->done = true;
				break;
			}
		}
}

static void
loop(struct tui *t)
{
	struct pollfd pf[3] = {
		{.fd = 0, .events = POLLIN},
		{.fd = tui_sink_fd(), .events = POLLIN},
		{.fd = tui_term_sigfd(), .events = POLLIN},
	};

	while (!t->done) {
		int64_t wait, now = tui_mono_ns(), soon;

		/* A wake-up asks for a fresh read, at most every
		 * TUI_GATHER_GAP_MS: a storm of events is one read. */
		soon = t->last_gather_ns + TUI_GATHER_GAP_MS * 1000000LL;
		if ((t->gather_now && now >= soon) || now >= t->next_gather_ns)
			gather(t);
		tui_screen_frame(t);
		if (cmd_session_quit_requested(t->s) &&
		    !cmd_session_busy(t->s))
			break;
		tui_line_script(t);

		wait = (t->next_gather_ns - tui_mono_ns()) / 1000000;
		if (t->gather_now)
			wait = (soon - tui_mono_ns()) / 1000000;
		if (t->script != NULL && !t->opt.step &&
		    (t->script_next_ns - tui_mono_ns()) / 1000000 < wait)
			wait = (t->script_next_ns - tui_mono_ns()) / 1000000;
		if (wait < 0)
			wait = 0;
		if (poll(pf, 3, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			perror("wpool: poll");
			break;
		}
		if (pf[2].revents & POLLIN)
			handle_signals(t);
		if (pf[1].revents & POLLIN)
			tui_sink_drain(t);
		if (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			t->hangup = true;
		else if ((pf[0].revents & POLLIN) && !tui_input_read(t))
			t->hangup = true;
		if (t->hangup)
			t->done = true;
	}
}

static int
setup(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	bool utf8, color;

	setlocale(LC_ALL, "");
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 && !t->opt.ascii;
	color = !t->opt.no_color && !(nc != NULL && nc[0] != '\0');
	if (tui_log_init(&t->log, 2000) != 0 || tui_log_init(&t->help, 1000) ||
	    tui_log_init(&t->popup, 200) != 0)
		return -1;
	if (tui_term_init() != 0)
		return -1;
	/* readline first: its terminal setup must not replace the one
	 * curses is about to make current. */
	if (tui_input_init(t, t->opt.history) != 0)
		return -1;
	t->scr = newterm(NULL, stdout, stdin);
	if (t->scr == NULL) {
		fprintf(stderr, "wpool: cannot drive this terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	set_term(t->scr);
	if (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1) {
		/* TERM=dumb and friends: a dashboard needs to move the
		 * cursor. */
		endwin();
		fprintf(stderr,
			"wpool: TERM=%s cannot move the cursor; use --headless\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	raw();
	noecho();
	nonl();
	set_escdelay(50);
	curs_set(1);
	tui_term_saved();
	tui_term_paste(true);
	tui_draw_init(utf8, color, t->opt.test_mode);
	t->pool = cmd_session_pool(t->s);
	if (tui_sink_start(t) != 0)
		return -1;
	return 0;
}

static void
teardown(struct tui *t)
{
	tui_screen_free(t);
	tui_input_fini();
	tui_term_restore();
	if (t->scr != NULL)
		delscreen(t->scr);
	t->scr = NULL;
	tui_term_fini();
	tui_sink_stop(t);
	if (t->hangup)
		fprintf(stderr, "wpool: the terminal hung up\n");
	if (t->script != NULL)
		cmd_script_free(t->script);
	t->script = NULL;
	tui_log_free(&t->log);
	tui_log_free(&t->help);
	tui_log_free(&t->popup);
}

int
tui_run(struct cmd_session *s, const struct tui_options *o)
{
	struct tui *t = &the_tui;
	const char *test = getenv("WPOOL_TEST");
	int rc;

	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "wpool: the console needs a terminal on stdin "
				"and stdout\n");
		return CMD_EXIT_FAILED;
	}
	memset(t, 0, sizeof(*t));
	t->s = s;
	if (o != NULL)
		t->opt = *o;
	if (test != NULL && strcmp(test, "1") == 0)
		t->opt.test_mode = true;
	t->refresh_ms = t->opt.refresh_ms ? t->opt.refresh_ms
					  : TUI_REFRESH_DEFAULT_MS;
	if (t->refresh_ms < TUI_REFRESH_MIN_MS)
		t->refresh_ms = TUI_REFRESH_MIN_MS;
	if (t->refresh_ms > TUI_REFRESH_MAX_MS)
		t->refresh_ms = TUI_REFRESH_MAX_MS;
	if (t->opt.script != NULL &&
	    (rc = cmd_script_open(t->opt.script, &t->script)) != 0) {
		fprintf(stderr, "wpool: %s: %s\n", t->opt.script,
			rc == WP_ESYS ? strerror(errno) : wp_strerror(rc));
		return CMD_EXIT_USAGE;
	}
	if (setup(t) != 0) {
		teardown(t);
		return CMD_EXIT_FAILED;
	}
	gather(t);
	loop(t);
	teardown(t);
	if (t->signo != 0)
		return 128 + t->signo;
	if (t->hangup)
		return 128 + SIGHUP;
	return cmd_session_exit_code(s);
}
