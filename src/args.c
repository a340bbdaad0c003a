/*
 * args.c - wpool's command line: options, usage, and the words after the
 * options, quoted back into one command line.
 *
 * Every bad option ends the program with a message and exit code 2; pool
 * settings are parsed by their wp_option unit, so --timeout 5x says what
 * `set task-timeout 5x` would.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

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
"  --pause D             console script: pause D between lines (1.5s; 0: none)\n"
"  --json                every reply one JSON object per line; events too\n"
"                        (implies --headless)\n"
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

static void bad_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wpool: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
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
	if (wp_config_set(cfg, oi->opt, v) != 0)
		bad_usage("--set %s: out of range", oi->name);
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
	OPT_PAUSE,
};

static const struct option long_opts[] = {
	{"headless", no_argument, NULL, OPT_HEADLESS},
	{"command", required_argument, NULL, 'c'},
	{"script", required_argument, NULL, 's'},
	{"step", no_argument, NULL, OPT_STEP},
	{"pause", required_argument, NULL, OPT_PAUSE},
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

void
main_parse_args(int argc, char **argv, struct main_opts *mo)
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
		case OPT_PAUSE:
			if (cmd_parse_duration(optarg, false, &ms, err,
					       sizeof err) != 0)
				bad_usage("--pause: %s", err);
			mo->co.pause_ms = ms > 600000 ? 600000 : (int)ms;
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
