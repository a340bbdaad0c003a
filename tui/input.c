/*
 * input.c - GNU readline in callback mode inside curses.
 *
 * DESIGN (tui-anchors.md 1.3, the recipe gdb's TUI uses): curses owns the
 * terminal and decodes keys; readline owns the line.  Keys the dashboard
 * wants (PageUp/PageDown, F1, Ctrl-L, Ctrl-Z, Ctrl-C, resize) become
 * actions; every other key becomes bytes in a small queue, with curses'
 * key codes turned back into the escape sequences readline binds (arrows,
 * Home, End, Delete).  readline pulls bytes from the queue through its
 * getc hook, so a key that needs more bytes within one call (bracketed
 * paste) just reads on.  Keys are handled strictly in arrival order: an
 * action first feeds readline everything queued before it.
 *
 * readline never touches the tty: its terminal preparation and signal
 * handling are off, its output stream is /dev/null, and prompt.c draws
 * the line.  Completion matches go to an overlay (show_matches).  History
 * lives in $XDG_STATE_HOME/wpool/history.
 * UI thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd.h"

#define WPTUI_INTERNAL
#include "tui.h"

#define QCAP 8192
#define HISTORY_MAX 1000
#define PROMPT "wpool> "

static struct tui *T;
static unsigned char queue[QCAP];
static unsigned qhead, qlen;
static bool in_readline; /* inside rl_callback_read_char() */
static int pending_act[16];
static unsigned npending;
static char hist_path[1024];
static FILE *devnull;

static void
push(const char *s, size_t n)
{
	for (size_t i = 0; i < n && qlen < QCAP; i++)
		queue[(qhead + qlen++) % QCAP] = (unsigned char)s[i];
}

static int
pop(void)
{
	int c = queue[qhead];

	qhead = (qhead + 1) % QCAP;
	qlen--;
	return c;
}

static void
act(enum tui_action a)
{
	if (in_readline) {
		if (npending < sizeof(pending_act) / sizeof(pending_act[0]))
			pending_act[npending++] = (int)a;
		return;
	}
	tui_on_action(T, a);
}

/* Feeds readline everything queued (or, while a confirmation owns the
 * keyboard, answers it). */
static void
feed(void)
{
	if (in_readline)
		return; /* called from pull(): readline is already reading */
	while (qlen > 0 && !T->done && !T->quitting) {
		if (T->confirm[0] != '\0') {
			int c = pop();
			tui_on_action(T, c == 'y' || c == 'Y' ? TUI_ACT_YES
							      : TUI_ACT_NO);
			continue;
		}
		in_readline = true;
		rl_callback_read_char();
		in_readline = false;
		for (unsigned i = 0; i < npending; i++)
			tui_on_action(T, (enum tui_action)pending_act[i]);
		npending = 0;
	}
}

static const struct {
	int key;
	const char *seq;
} keymap[] = {
	{KEY_UP, "\033[A"},    {KEY_DOWN, "\033[B"},  {KEY_RIGHT, "\033[C"},
	{KEY_LEFT, "\033[D"},  {KEY_HOME, "\033[H"},  {KEY_END, "\033[F"},
	{KEY_DC, "\033[3~"},   {KEY_IC, "\033[2~"},   {KEY_BACKSPACE, "\177"},
	{KEY_ENTER, "\r"},     {KEY_BTAB, "\033[Z"},
};

static const struct {
	const char *name; /* ncurses' extended key names */
	const char *seq;
} namemap[] = {
	{"kLFT5", "\033[1;5D"}, {"kRIT5", "\033[1;5C"},
	{"kLFT3", "\033[1;3D"}, {"kRIT3", "\033[1;3C"},
	{"kDC5", "\033[3;5~"},
};

/* One key from curses: an action, or bytes for readline. */
static void
route(int ch)
{
	char b;

	if (T->popup_on && ch != '\t') {
		T->popup_on = false;
		tui_screen_touch(T);
	}
	if (T->confirm[0] != '\0' && ch < 0x100) {
		b = (char)ch;
		push(&b, 1);
		return;
	}
	switch (ch) {
	case KEY_RESIZE:
		feed();
		act(TUI_ACT_RESIZE);
		return;
	case KEY_PPAGE:
		feed();
		act(TUI_ACT_PGUP);
		return;
	case KEY_NPAGE:
		feed();
		act(TUI_ACT_PGDN);
		return;
	case KEY_F(1):
		feed();
		act(TUI_ACT_HELP);
		return;
	case 0x03: /* Ctrl-C */
		feed();
		act(TUI_ACT_INTR);
		return;
	case 0x0c: /* Ctrl-L */
		feed();
		act(TUI_ACT_REDRAW);
		return;
	case 0x1a: /* Ctrl-Z */
		feed();
		act(TUI_ACT_SUSPEND);
		return;
	case 0x1b:
		if (T->help_on && qlen == 0) {
			act(TUI_ACT_ESC);
			return;
		}
		break;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].key == ch) {
			push(keymap[i].seq, strlen(keymap[i].seq));
			return;
		}
	if (ch >= 0x100) {
		const char *name = keyname(ch);
		for (size_t i = 0; name != NULL && i < sizeof(namemap) /
							       sizeof(namemap[0]);
		     i++)
			if (strcmp(namemap[i].name, name) == 0)
				push(namemap[i].seq, strlen(namemap[i].seq));
		return; /* other function keys mean nothing here */
	}
	b = (char)ch;
	push(&b, 1);
}

/* readline's getc: the next queued byte.  When readline wants more bytes
 * inside one call (a paste still arriving), wait for the terminal. */
static int
pull(FILE *f)
{
	(void)f;
	for (int tries = 0; qlen == 0; tries++) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		int ch;

		if (tries >= 3 || T->hangup)
			return 0x07; /* abort whatever waits for more */
		if (poll(&p, 1, 1000) <= 0)
			continue;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			T->hangup = true;
			continue;
		}
		while ((ch = wgetch(tui_prompt_win())) != ERR)
			route(ch);
		/* A key for the console (Ctrl-C, F1 ...) ends whatever
		 * readline waits for; the action runs right after. */
		if (qlen == 0 && npending > 0)
			return 0x07;
	}
	return pop();
}

static int
available(void)
{
	return qlen > 0;
}

static void
noop_prep(int meta)
{
	(void)meta;
}

static void
noop_deprep(void)
{
}

/* ------------------------------------------------------------------------
 * Lines, completion, history.
 */
static void
on_line(char *line)
{
	/* NULL: Ctrl-D on an empty line. */
	if (line == NULL) {
		tui_line_quit(T);
		return;
	}
	if (line[0] != '\0')
		tui_input_add_history(line);
	tui_line_run(T, line);
	free(line);
}

void
tui_input_add_history(const char *line)
{
	HIST_ENTRY *last;
	const char *p = line;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return;
	last = history_get(history_base + history_length - 1);
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	if (hist_path[0] != '\0')
		append_history(1, hist_path);
}

static char **
complete(const char *text, int start, int end)
{
	(void)text;
	rl_attempted_completion_over = 1; /* never filenames */
	return cmd_complete(T->s, rl_line_buffer, start, end);
}

static void
show_matches(char **m, int n, int maxw)
{
	int cols = (COLS - 2) / (maxw + 2);
	char line[TUI_LINE_MAX];

	if (cols < 1)
		cols = 1;
	tui_log_clear(&T->popup);
	for (int i = 1; i <= n;) {
		size_t o = 0;
		line[0] = '\0';
		for (int c = 0; c < cols && i <= n; c++, i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o,
					      "%-*s  ", maxw, m[i]);
		tui_log_add(&T->popup, TUI_LOG_OUT, -1, 0, line);
	}
	T->popup_on = true;
	tui_screen_frame(T);
}

static void
history_file(const char *path)
{
	const char *base = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[900];
	int fd;

	if (path != NULL) {
		snprintf(hist_path, sizeof(hist_path), "%s", path);
	} else {
		if (base != NULL && base[0] == '/')
			snprintf(dir, sizeof(dir), "%s/wpool", base);
		else if (home != NULL && home[0] != '\0')
			snprintf(dir, sizeof(dir), "%s/.local/state/wpool",
				 home);
		else
			return;
		/* mkdir -p, best effort: no history is not an error. */
		for (char *p = dir + 1; *p != '\0'; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(dir, 0700);
				*p = '/';
			}
		mkdir(dir, 0700);
		snprintf(hist_path, sizeof(hist_path), "%s/history", dir);
	}
	/* append_history() will not create the file. */
	fd = open(hist_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		hist_path[0] = '\0';
		return;
	}
	close(fd);
	read_history(hist_path);
}

int
tui_input_init(struct tui *t, const char *history)
{
	T = t;
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		return -1;
	rl_readline_name = "wpool";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = noop_prep;
	rl_deprep_term_function = noop_deprep;
	rl_getc_function = pull;
	rl_input_available_hook = available;
	rl_redisplay_function = tui_input_redisplay;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_outstream = devnull;
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "on");
	rl_variable_bind("enable-active-region", "off");
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("horizontal-scroll-mode", "on");
	using_history();
	stifle_history(HISTORY_MAX);
	history_file(history);
	rl_callback_handler_install(PROMPT, on_line);
	/* Keys readline may not bind for an unknown terminal. */
	rl_bind_keyseq("\\e[A", rl_get_previous_history);
	rl_bind_keyseq("\\e[B", rl_get_next_history);
	rl_bind_keyseq("\\e[C", rl_forward_char);
	rl_bind_keyseq("\\e[D", rl_backward_char);
	rl_bind_keyseq("\\e[H", rl_beg_of_line);
	rl_bind_keyseq("\\e[F", rl_end_of_line);
	rl_bind_keyseq("\\e[3~", rl_delete);
	rl_bind_keyseq("\\e[1;5C", rl_forward_word);
	rl_bind_keyseq("\\e[1;5D", rl_backward_word);
	rl_bind_keyseq("\\e[1;3C", rl_forward_word);
	rl_bind_keyseq("\\e[1;3D", rl_backward_word);
	rl_bind_keyseq("\\e[200~", rl_bracketed_paste_begin);
	return 0;
}

void
tui_input_fini(void)
{
	rl_callback_handler_remove();
	if (hist_path[0] != '\0')
		history_truncate_file(hist_path, HISTORY_MAX);
	rl_outstream = stdout;
	if (devnull != NULL)
		fclose(devnull);
	devnull = NULL;
}

bool
tui_input_read(struct tui *t)
{
	int ch;

	(void)t;
	if (tui_prompt_win() == NULL)
		return true;
	nodelay(tui_prompt_win(), TRUE);
	/* Drain: curses may hold bytes that poll() no longer reports. */
	while ((ch = wgetch(tui_prompt_win())) != ERR)
		route(ch);
	feed();
	return !T->hangup;
}

void
tui_input_clear_line(void)
{
	/* Leaves any i-search or multi-key state, then empties the line. */
	rl_callback_sigcleanup();
	rl_replace_line("", 1);
	rl_point = rl_end = rl_mark = 0;
	history_set_pos(history_length); /* back to the newest, as bash */
	rl_on_new_line();
	tui_input_redisplay();
}

void
tui_input_prefill(const char *line)
{
	rl_replace_line(line, 1);
	rl_point = rl_end;
	tui_input_redisplay();
}

bool
tui_input_empty(void)
{
	return rl_end == 0;
}
