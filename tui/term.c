/*
 * term.c - the terminal is always given back.
 *
 * DESIGN: signal handlers do one thing, async-signal-safely: write the
 * signal number as a byte to a self-pipe the UI thread polls (WINCH, CONT,
 * TERM, INT, HUP, TSTP).  They are installed before newterm() so ncurses
 * leaves SIGWINCH and SIGTSTP to us (its own handlers are not
 * async-signal-safe).  The pool's threads block these signals
 * (wp__thread_start), so they land on the UI thread or another thread of
 * the program; either way only the byte moves.
 *
 * Fault signals (SEGV, BUS, FPE, ILL, ABRT) on a thread that is not
 * running a pool task put the tty back the only way that is safe inside a
 * handler (tcsetattr to the mode saved before curses, then the terminfo
 * strings that leave the alternate screen and show the cursor, written
 * with write(2)), then hand the signal on to whatever handler was there
 * before (a sanitizer's) or re-raise it with the default action for the
 * core dump.  A fault on a pool task thread goes straight to the previous
 * handler: that is libwpool's crash containment when a pool opts in.
 *
 * Ctrl-Z arrives as a byte (curses is in raw mode): tui_term_suspend()
 * leaves curses, stops the process group, and returns to a repainted
 * screen.  atexit() ends curses if anything exits without tui_run()'s
 * teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define WPTUI_INTERNAL
#include "tui.h"

static const int relay_sigs[] = {SIGWINCH, SIGCONT, SIGTERM,
				 SIGINT,   SIGHUP,  SIGTSTP};
#define NRELAY (sizeof(relay_sigs) / sizeof(relay_sigs[0]))
static const int fault_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFAULT (sizeof(fault_sigs) / sizeof(fault_sigs[0]))

static int pipe_fd[2] = {-1, -1};
static struct sigaction old_relay[NRELAY], old_fault[NFAULT];
static bool installed;
static bool have_tty_mode;
static struct termios tty_mode; /* before curses */
/* Escape strings copied out of terminfo for the fault path. */
static char restore_seq[128];
static volatile sig_atomic_t curses_on;

static void
relay(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (pipe_fd[1] >= 0 && write(pipe_fd[1], &b, 1) < 0) {
		/* Full pipe: the UI has that much to do already. */
	}
	errno = saved;
}

static void
fault(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = NULL;

	for (size_t i = 0; i < NFAULT; i++)
		if (fault_sigs[i] == sig)
			old = &old_fault[i];
	if (wp_ctx_current() == NULL && curses_on) {
		curses_on = 0;
		if (have_tty_mode)
			tcsetattr(0, TCSANOW, &tty_mode);
		if (write(1, restore_seq, strlen(restore_seq)) < 0) {
			/* Nothing more to try. */
		}
	}
	if (old != NULL && (old->sa_flags & SA_SIGINFO) &&
	    old->sa_sigaction != NULL) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old != NULL && old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN && !(old->sa_flags & SA_SIGINFO)) {
		old->sa_handler(sig);
		return;
	}
	/* The default action: the process ends here, with its core dump. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
restore_atexit(void)
{
	tui_term_restore();
}

int
tui_term_init(void)
{
	static bool atexit_done;
	struct sigaction sa;

	if (installed)
		return 0;
	if (pipe2(pipe_fd, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	have_tty_mode = tcgetattr(0, &tty_mode) == 0;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = relay;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < NRELAY; i++) {
		sigaction(relay_sigs[i], &sa, &old_relay[i]);
		/* nohup and background jobs ignore HUP and INT: so do we
		 * (a hang-up is then seen as POLLHUP on the terminal). */
		if ((relay_sigs[i] == SIGHUP || relay_sigs[i] == SIGINT) &&
		    old_relay[i].sa_handler == SIG_IGN)
			sigaction(relay_sigs[i], &old_relay[i], NULL);
	}

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = fault;
	/* SA_NODEFER: libwpool's containment leaves a task's fault with
	 * siglongjmp() and does not restore the signal mask; the signal
	 * must not be left blocked on that worker. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	for (size_t i = 0; i < NFAULT; i++)
		sigaction(fault_sigs[i], &sa, &old_fault[i]);
	installed = true;
	if (!atexit_done) {
		atexit(restore_atexit);
		atexit_done = true;
	}
	return 0;
}

void
tui_term_fini(void)
{
	if (!installed)
		return;
	for (size_t i = 0; i < NRELAY; i++)
		sigaction(relay_sigs[i], &old_relay[i], NULL);
	for (size_t i = 0; i < NFAULT; i++)
		sigaction(fault_sigs[i], &old_fault[i], NULL);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	pipe_fd[0] = pipe_fd[1] = -1;
	installed = false;
}

int
tui_term_sigfd(void)
{
	return pipe_fd[0];
}

static void
append_cap(const char *name)
{
	char *s = tigetstr(name);

	if (s == NULL || s == (char *)-1)
		return;
	if (strlen(restore_seq) + strlen(s) + 1 < sizeof(restore_seq))
		strcat(restore_seq, s);
}

void
tui_term_saved(void)
{
	restore_seq[0] = '\0';
	strcat(restore_seq, "\033[?2004l");
	append_cap("sgr0");
	append_cap("rmkx");
	append_cap("rmcup");
	append_cap("cnorm");
	strcat(restore_seq, "\r\n");
	curses_on = 1;
}

void
tui_term_paste(bool on)
{
	const char *s = on ? "\033[?2004h" : "\033[?2004l";

	fflush(stdout);
	if (write(1, s, strlen(s)) < 0) {
		/* A hung-up terminal: nothing to restore. */
	}
}

void
tui_term_restore(void)
{
	if (!curses_on)
		return;
	curses_on = 0;
	tui_term_paste(false);
	if (!isendwin())
		endwin();
}

void
tui_term_suspend(void)
{
	struct sigaction dfl, ours;

	tui_term_paste(false);
	endwin();
	/* The whole job stops, as it would on a cooked-mode Ctrl-Z; an
	 * orphaned process group ignores it and we simply come back. */
	memset(&dfl, 0, sizeof(dfl));
	sigemptyset(&dfl.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &dfl, &ours);
	kill(0, SIGTSTP);
	sigaction(SIGTSTP, &ours, NULL);
	reset_prog_mode();
	tui_term_paste(true);
}
