/*
 * main.c - the wpool program: the live console on a terminal, headless
 * otherwise.
 *
 * Headless, commands come from `wpool COMMAND ARGS`, -c TEXT, --script
 * FILE or standard input, one line at a time, each finished (long ones
 * waited for) before the next.  Replies go to stdout, errors to stderr
 * (both to stdout with --json, one JSON object per line), progress to
 * stderr with -v or a terminal, pool events to stdout with --events (on by
 * default with --json).  At the end the pool gets the ordered stop.
 *
 * Exit codes: 0 ok; 1 a command failed or an expect did not hold; 2 usage
 * error; 3 the last stop hit its bound and was forced; 128+N after signal
 * N (SIGINT, SIGTERM, SIGHUP end the session gracefully first).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "main.h"

struct out {
	pthread_mutex_t mu;
	bool json;
	bool events;
	bool progress;
};

static volatile sig_atomic_t got_signal;
static struct cmd_session *signal_session;

/* ---- the headless sink (any thread) ---- */

static void
out_line(void *udata, enum cmd_msg kind, const char *text)
{
	struct out *o = udata;
	FILE *f = stdout;

	switch (kind) {
	case CMD_OUT:
		break;
	case CMD_ERR:
		f = o->json ? stdout : stderr;
		break;
	case CMD_PROGRESS:
		if (!o->progress)
			return;
		f = stderr;
		break;
	case CMD_EVENT:
		if (!o->events)
			return;
		break;
	}
	pthread_mutex_lock(&o->mu);
	/* The other stream first, so 2>&1 keeps the order. */
	fflush(f == stdout ? stderr : stdout);
	fputs(text, f);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&o->mu);
}

/* ---- signals ---- */

static void
on_signal(int sig)
{
	got_signal = sig;
	if (signal_session != NULL)
		cmd_session_interrupt(signal_session);
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND; /* a second one ends us at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- headless input ---- */

/* Reads one line of at most CMD_LINE_MAX bytes into buf (NUL bytes kept);
 * *len gets the full length even past the limit (the rest is skipped).
 * -1 at the end of input or on a signal. */
static int
read_line(FILE *f, char *buf, size_t *len)
{
	size_t n = 0;
	int ch;

	for (;;) {
		ch = getc(f);
		if (ch == EOF) {
			if (ferror(f) && errno == EINTR && !got_signal) {
				clearerr(f);
				continue;
			}
			if (n == 0 || got_signal)
				return -1;
			break;
		}
		if (ch == '\n')
			break;
		if (n < CMD_LINE_MAX)
			buf[n] = (char)ch;
		n++;
	}
	if (n > 0 && n <= CMD_LINE_MAX && buf[n - 1] == '\r')
		n--;
	buf[n < CMD_LINE_MAX ? n : CMD_LINE_MAX] = '\0';
	*len = n;
	return 0;
}

static void
run_stdin(struct cmd_session *s, const struct main_opts *mo)
{
	static char buf[CMD_LINE_MAX + 1];
	bool prompt = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	char err[200];
	size_t len;
	int rc;

	for (;;) {
		if (cmd_session_quit_requested(s) || got_signal)
			return;
		if (prompt) {
			fputs("wpool> ", stderr);
			fflush(stderr);
		}
		if (read_line(stdin, buf, &len) != 0)
			return;
		if (mo->trace)
			cmd_line_trace(s, buf);
		if (cmd_check_line(buf, len, err, sizeof err) != 0) {
			cmd_line_error(s, "%s", err);
			rc = 1;
		} else {
			rc = cmd_session_exec(s, buf);
		}
		if (rc != 0 && mo->errexit)
			return;
	}
}

static int
run_text(struct cmd_session *s, const char *name, const char *text,
	 const struct main_opts *mo)
{
	struct cmd_script *sc;
	unsigned failed;
	int rc;

	rc = cmd_script_from_string(name, text, &sc);
	if (rc != 0) {
		fprintf(stderr, "wpool: %s: %s\n", name, wp_strerror(rc));
		return -1;
	}
	failed = cmd_script_run(s, sc, mo->trace, mo->errexit);
	cmd_script_free(sc);
	return failed > 0 ? 1 : 0;
}

static int
run_file(struct cmd_session *s, const char *path, const struct main_opts *mo)
{
	struct cmd_script *sc;
	unsigned failed;
	int rc;

	rc = cmd_script_open(path, &sc);
	if (rc != 0) {
		fprintf(stderr, "wpool: %s: %s\n", path,
			rc == WP_ESYS || rc == WP_ENOENT ? strerror(errno)
							 : wp_strerror(rc));
		return -1;
	}
	failed = cmd_script_run(s, sc, mo->trace, mo->errexit);
	cmd_script_free(sc);
	return failed > 0 ? 1 : 0;
}

static int
headless(struct main_opts *mo)
{
	static struct out out = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct cmd_sink sink = {.udata = &out, .line = out_line};
	struct cmd_session *s;
	int rc, i, code;

	out.json = mo->so.json;
	out.events = mo->events < 0 ? mo->so.json : mo->events == 1;
	out.progress = mo->verbose || isatty(STDERR_FILENO);
	mo->so.async = false;
	rc = cmd_session_new(&mo->so, &sink, &s);
	if (rc != 0) {
		fprintf(stderr, "wpool: cannot create the pool: %s\n",
			wp_strerror(rc));
		return 1;
	}
	signal_session = s;
	catch_signals();

	for (i = 0; i < mo->ncmds && !got_signal; i++) {
		if (run_text(s, "-c", mo->cmds[i], mo) != 0 && mo->errexit)
			goto done;
		if (cmd_session_quit_requested(s))
			goto done;
	}
	if (mo->script != NULL && !got_signal) {
		rc = run_file(s, mo->script, mo);
		if (rc < 0) {
			code = CMD_EXIT_USAGE;
			cmd_session_free(s);
			return code;
		}
		if (rc != 0 && mo->errexit)
			goto done;
	}
	if (mo->command != NULL && !got_signal && !cmd_session_quit_requested(s))
		run_text(s, "command", mo->command, mo);
	if (mo->ncmds == 0 && mo->script == NULL && mo->command == NULL)
		run_stdin(s, mo);
done:
	code = cmd_session_finish(s);
	signal_session = NULL;
	cmd_session_free(s);
	return code;
}

static int
console(struct main_opts *mo)
{
	struct cmd_sink sink;
	struct cmd_session *s;
	int rc, code;

	memset(&sink, 0, sizeof sink);
	console_prepare(&mo->so, &sink);
	mo->co.script = mo->script;
	rc = cmd_session_new(&mo->so, &sink, &s);
	if (rc != 0) {
		fprintf(stderr, "wpool: cannot create the pool: %s\n",
			wp_strerror(rc));
		return 1;
	}
	rc = console_run(s, &mo->co);
	code = cmd_session_finish(s);
	cmd_session_free(s);
	/* A signal's 128 + n wins; then the session's code (a failed
	 * command, a forced stop); then the console's own (1 when it could
	 * not drive the terminal). */
	return rc >= 128 ? rc : code != 0 ? code : rc;
}

int
main(int argc, char **argv)
{
	struct main_opts mo;
	const char *field = NULL;
	int rc;

	memset(&mo, 0, sizeof mo);
	mo.events = -1;
	mo.co.pause_ms = -1;
	cmd_session_opts_init(&mo.so);
	main_parse_args(argc, argv, &mo);
	if (wp_config_validate(&mo.so.cfg, &field) != 0) {
		fprintf(stderr, "wpool: bad setting '%s'\nTry 'wpool "
			"--help'.\n", field ? field : "?");
		return CMD_EXIT_USAGE;
	}
	/* --json is for programs: it means headless too. */
	if (!mo.headless && !mo.so.json && mo.ncmds == 0 &&
	    mo.command == NULL && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO) && console_available()) {
		rc = console(&mo);
	} else {
		if (mo.co.step)
			fprintf(stderr, "wpool: --step needs the console (a "
				"terminal); ignored\n");
		rc = headless(&mo);
	}
	free(mo.cmds);
	free(mo.command);
	if (got_signal) {
		signal(got_signal, SIG_DFL);
		raise(got_signal);
	}
	return rc;
}
