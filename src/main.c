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
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "console.h"

struct out {
	pthread_mutex_t mu;
	bool json;
	bool events;
	bool progress;
};

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

static volatile sig_atomic_t got_signal;
static struct cmd_session *signal_session;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: wpool [OPTIONS] [COMMAND [ARGS...]]\n"
"\n"
"Opens the live console when stdin and stdout are terminals; otherwise\n"
"(or with --headless) reads commands from stdin.  A COMMAND after the\n"
"options runs alone (e.g. wpool help --markdown).\n"
"\n"
"Modes:\n"
"  --headless            no console: commands from stdin, -c, --script\n"
"  -c, --command TEXT    run TEXT (';' between commands); repeatable\n"
"  -s, --script FILE     run FILE ('#' comments); on a terminal the console\n"
"                        runs it line by line\n"
"  --step                console script: wait for Enter before each line\n"
"  --json                every reply one JSON object per line; events too\n"
"  --events              stream pool events (text mode)\n"
"  --no-events           do not stream pool events (--json)\n"
"  -x, --trace           print each line before it runs (\"+ LINE\")\n"
"  -e, --errexit         stop at the first failed command\n"
"  -v, --verbose         progress of long commands on stderr\n"
"\n"
"Pool:\n"
"  -w, --workers N       worker threads (default: online CPUs)\n"
"  --timeout D           default task deadline (off: none)\n"
"  --stop-timeout D      bound of the ordered stop (10s)\n"
"  --monitor-interval D  monitor period (5s)\n"
"  --health-interval D   health check period (10s)\n"
"  --contain-crashes     turn faults in tasks into failed results\n"
"  --set KEY=VALUE       any setting (see the config command); repeatable\n"
"  --demo                start the demo load (priority 1-5 tasks, every\n"
"                        10th fails)\n"
"  --no-start            create the pool but leave it for 'start'\n"
"\n"
"Console:\n"
"  --ascii, --no-color, --test-mode, --history FILE, --refresh D\n"
"\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n"
"\n"
"Durations: 250ms, 2s, 1m.  Commands: wpool help (or docs/commands.md).\n"
"Exit: 0 ok, 1 a command or expect failed, 2 usage, 3 the last stop was\n"
"forced.\n");
}

static void
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "wpool: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'wpool --help'.\n");
	exit(CMD_EXIT_USAGE);
}

/* Sets a pool setting by its wp_option name; exits 2 if bad. */
static void
set_option(struct wp_config *cfg, const char *flag, const char *name,
	   const char *value)
{
	const struct wp_option_info *oi = wp_option_find(name);
	char err[200], lo[48], hi[48];
	uint64_t v;

	if (oi == NULL) {
		fprintf(stderr, "wpool: %s: unknown setting '%s' (see wpool "
			"config)\n", flag, name);
		exit(CMD_EXIT_USAGE);
	}
	if (cmd_parse_option(oi, value, &v, err, sizeof err) != 0) {
		fprintf(stderr, "wpool: %s: %s\n", flag, err);
		exit(CMD_EXIT_USAGE);
	}
	if (v < oi->min || v > oi->max) {
		fprintf(stderr, "wpool: %s: %s is out of range (%s to %s)\n",
			flag, value, cmd_fmt_option(oi, oi->min, lo, sizeof lo),
			cmd_fmt_option(oi, oi->max, hi, sizeof hi));
		exit(CMD_EXIT_USAGE);
	}
	cmd_cfg_set(cfg, oi->opt, v);
}

/* Words after the options, quoted back into one command line. */
static char *
join_words(char **argv, int argc)
{
	size_t len = 1;
	char *line, *p;
	const char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	line = malloc(len);
	if (line == NULL)
		return NULL;
	p = line;
	for (i = 0; i < argc; i++) {
		if (i > 0)
			*p++ = ' ';
		if (argv[i][0] != '\0' &&
		    strpbrk(argv[i], " \t;#'\"\\") == NULL) {
			p = stpcpy(p, argv[i]);
			continue;
		}
		*p++ = '\'';
		for (s = argv[i]; *s != '\0'; s++) {
			if (*s == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *s;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return line;
}

enum {
	OPT_HEADLESS = 256,
	OPT_STEP,
	OPT_JSON,
	OPT_EVENTS,
	OPT_NO_EVENTS,
	OPT_TIMEOUT,
	OPT_STOP_TIMEOUT,
	OPT_MONITOR,
	OPT_HEALTH,
	OPT_CONTAIN,
	OPT_SET,
	OPT_DEMO,
	OPT_NO_START,
	OPT_ASCII,
	OPT_NO_COLOR,
	OPT_TEST_MODE,
	OPT_HISTORY,
	OPT_REFRESH,
};

static const struct option long_opts[] = {
	{"headless", no_argument, NULL, OPT_HEADLESS},
	{"command", required_argument, NULL, 'c'},
	{"script", required_argument, NULL, 's'},
	{"step", no_argument, NULL, OPT_STEP},
	{"json", no_argument, NULL, OPT_JSON},
	{"events", no_argument, NULL, OPT_EVENTS},
	{"no-events", no_argument, NULL, OPT_NO_EVENTS},
	{"trace", no_argument, NULL, 'x'},
	{"errexit", no_argument, NULL, 'e'},
	{"verbose", no_argument, NULL, 'v'},
	{"workers", required_argument, NULL, 'w'},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"monitor-interval", required_argument, NULL, OPT_MONITOR},
	{"health-interval", required_argument, NULL, OPT_HEALTH},
	{"contain-crashes", no_argument, NULL, OPT_CONTAIN},
	{"set", required_argument, NULL, OPT_SET},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"no-start", no_argument, NULL, OPT_NO_START},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"test-mode", no_argument, NULL, OPT_TEST_MODE},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"refresh", required_argument, NULL, OPT_REFRESH},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void
parse_args(int argc, char **argv, struct main_opts *mo)
{
	struct wp_config *cfg = &mo->so.cfg;
	char err[200], name[64], *eq;
	uint64_t ms;
	int ch, i;

	/* --version wins over everything else (GNU). */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("wpool %s (libwpool %s)\n", WP_VERSION_STRING,
			       wp_version());
			exit(0);
		}
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:s:xevw:hV", long_opts,
				 NULL)) != -1) {
		switch (ch) {
		case OPT_HEADLESS:
			mo->headless = true;
			break;
		case 'c':
			mo->cmds = realloc(mo->cmds, (size_t)(mo->ncmds + 1) *
						     sizeof *mo->cmds);
			if (mo->cmds == NULL)
				exit(1);
			mo->cmds[mo->ncmds++] = optarg;
			break;
		case 's':
			mo->script = optarg;
			break;
		case OPT_STEP:
			mo->co.step = true;
			break;
		case OPT_JSON:
			mo->so.json = true;
			break;
		case OPT_EVENTS:
			mo->events = 1;
			break;
		case OPT_NO_EVENTS:
			mo->events = 0;
			break;
		case 'x':
			mo->trace = true;
			break;
		case 'e':
			mo->errexit = true;
			break;
		case 'v':
			mo->verbose = true;
			break;
		case 'w':
			set_option(cfg, "--workers", "workers", optarg);
			break;
		case OPT_TIMEOUT:
			set_option(cfg, "--timeout", "task-timeout", optarg);
			break;
		case OPT_STOP_TIMEOUT:
			set_option(cfg, "--stop-timeout", "stop-timeout",
				   optarg);
			break;
		case OPT_MONITOR:
			set_option(cfg, "--monitor-interval",
				   "monitor-interval", optarg);
			break;
		case OPT_HEALTH:
			set_option(cfg, "--health-interval", "health-interval",
				   optarg);
			break;
		case OPT_CONTAIN:
			cfg->contain_crashes = true;
			break;
		case OPT_SET:
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg ||
			    (size_t)(eq - optarg) >= sizeof name)
				bad_usage("--set needs KEY=VALUE, not '%s'",
					  optarg);
			snprintf(name, sizeof name, "%.*s",
				 (int)(eq - optarg), optarg);
			set_option(cfg, "--set", name, eq + 1);
			break;
		case OPT_DEMO:
			mo->so.demo = true;
			break;
		case OPT_NO_START:
			mo->so.no_start = true;
			break;
		case OPT_ASCII:
			mo->co.ascii = true;
			break;
		case OPT_NO_COLOR:
			mo->co.no_color = true;
			break;
		case OPT_TEST_MODE:
			mo->co.test_mode = true;
			break;
		case OPT_HISTORY:
			mo->co.history = optarg;
			break;
		case OPT_REFRESH:
			if (cmd_parse_duration(optarg, false, &ms, err,
					       sizeof err) != 0)
				bad_usage("--refresh: %s", err);
			mo->co.refresh_ms = ms > 600000 ? 600000 : (unsigned)ms;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case '?':
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "wpool: option '-%c' %s\n",
					optopt,
					strchr("csw", optopt)
						? "needs a value"
						: "is unknown");
			else
				fprintf(stderr, "wpool: option '%s' is unknown "
					"or needs a value\n",
					argv[optind - 1]);
			fprintf(stderr, "Try 'wpool --help'.\n");
			exit(CMD_EXIT_USAGE);
		}
	}
	if (optind < argc) {
		mo->command = join_words(argv + optind, argc - optind);
		if (mo->command == NULL)
			exit(1);
	}
}

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
	return rc >= 128 ? rc : code;
}

int
main(int argc, char **argv)
{
	struct main_opts mo;
	const char *field = NULL;
	int rc;

	memset(&mo, 0, sizeof mo);
	mo.events = -1;
	cmd_session_opts_init(&mo.so);
	parse_args(argc, argv, &mo);
	if (wp_config_validate(&mo.so.cfg, &field) != 0) {
		fprintf(stderr, "wpool: bad setting '%s'\nTry 'wpool "
			"--help'.\n", field ? field : "?");
		return CMD_EXIT_USAGE;
	}
	if (!mo.headless && mo.ncmds == 0 && mo.command == NULL &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	    console_available()) {
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
