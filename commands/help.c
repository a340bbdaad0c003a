/*
 * help.c - help, usage lines and docs/commands.md, all from the table.
 *
 * `help` lists the commands by group, `help NAME` (or NAME --help) shows
 * one entry, and `help --markdown` prints the command reference that is
 * committed as docs/commands.md (a test keeps the two equal).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char *const groups[][2] = {
	{"work", "Work"},
	{"settings", "Settings"},
	{"layers", "Layers and lifecycle"},
	{"looking", "Looking"},
	{"scripts", "Scripts"},
};
#define NGROUPS (sizeof groups / sizeof groups[0])

const char *
cmd_usage_line(const struct cmd_entry *e, char *buf, size_t len)
{
	if (e->usage != NULL && e->usage[0] != '\0')
		snprintf(buf, len, "%s %s", e->name, e->usage);
	else
		snprintf(buf, len, "%s", e->name);
	return buf;
}

static const char *
type_word(enum cmd_arg_type t)
{
	switch (t) {
	case CMD_ARG_STRING:
		return " TEXT";
	case CMD_ARG_COUNT:
		return " N";
	case CMD_ARG_DURATION:
		return " D";
	case CMD_ARG_PRIORITY:
		return " P";
	case CMD_ARG_RATE:
		return " R/s";
	default:
		return "";
	}
}

static void
aliases(const struct cmd_entry *e, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 3 && e->alias[i] != NULL && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      e->alias[i]);
}

/* Calls fn for each line of a '\n'-separated text. */
static void
each_line(struct cmd_ctx *c, const char *text, const char *indent)
{
	const char *p = text, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			cmd_print(c, "%s%s", indent, p);
			break;
		}
		cmd_print(c, "%s%.*s", indent, (int)(nl - p), p);
		p = nl + 1;
	}
}

void
cmd_help_one(struct cmd_ctx *c, const struct cmd_entry *e)
{
	char buf[512], al[64], flag[48];
	const struct cmd_flag_spec *f;
	int i;

	cmd_print(c, "usage: %s", cmd_usage_line(e, buf, sizeof buf));
	cmd_print(c, "  %s", e->summary);
	aliases(e, al, sizeof al);
	if (al[0] != '\0')
		cmd_print(c, "  aliases: %s", al);
	for (i = 0; i < CMD_FLAGS_MAX && e->args.flags[i].name != NULL; i++) {
		f = &e->args.flags[i];
		snprintf(flag, sizeof flag, "--%s%s", f->name,
			 type_word(f->type));
		cmd_print(c, "  %-18s %s", flag, f->help);
	}
	if (e->help != NULL)
		each_line(c, e->help, "  ");
	if (e->example != NULL)
		cmd_print(c, "  example: %s", e->example);
	if (c->json) {
		cmd_json_str(cmd_reply(c), "name", e->name);
		cmd_json_str(cmd_reply(c), "usage", buf);
		cmd_json_str(cmd_reply(c), "summary", e->summary);
	}
}

static void
help_list(struct cmd_ctx *c, const char *const *extra)
{
	const struct cmd_entry *const *e;
	char al[64];
	size_t g;

	cmd_print(c, "wpool commands (help NAME for one; NAME --help too):");
	for (g = 0; g < NGROUPS; g++) {
		cmd_print(c, "%s:", groups[g][1]);
		for (e = cmd_table; *e != NULL; e++) {
			if (strcmp((*e)->group, groups[g][0]) != 0)
				continue;
			aliases(*e, al, sizeof al);
			cmd_print(c, "  %-13s %s%s%s%s", (*e)->name,
				  (*e)->summary,
				  al[0] ? " [alias " : "", al, al[0] ? "]" : "");
		}
	}
	if (extra != NULL && extra[0] != NULL) {
		cmd_print(c, "Console:");
		for (; *extra != NULL; extra++)
			cmd_print(c, "  %s", *extra);
	}
	cmd_print(c, "Units: 250ms 2s 1m 1h; 200MB 1GB; 20/s. '--' ends "
		     "flags; '#' starts a comment; ';' separates commands;");
	cmd_print(c, "a leading '-' (-submit ...) reports a failure but does "
		     "not count it.");
	if (c->json) {
		cmd_json_arr_open(cmd_reply(c), "commands");
		for (e = cmd_table; *e != NULL; e++)
			cmd_json_str(cmd_reply(c), NULL, (*e)->name);
		cmd_json_arr_close(cmd_reply(c));
	}
}

void
cmd_help_markdown(struct cmd_ctx *c)
{
	const struct cmd_entry *const *e;
	const struct cmd_flag_spec *f;
	char buf[512], al[64];
	size_t g;
	int i;

	cmd_print(c, "# wpool command reference");
	cmd_print(c, "%s", "");
	cmd_print(c, "Generated from the command table by `wpool help "
		     "--markdown`; do not edit by hand");
	cmd_print(c, "(a test compares this file with the program's "
		     "output).");
	cmd_print(c, "%s", "");
	cmd_print(c, "The console's prompt, `wpool --headless`, `wpool -c` "
		     "and `wpool --script`");
	cmd_print(c, "all speak this language.  Every command also takes "
		     "`--json` (reply as one");
	cmd_print(c, "JSON object) and `--help`.");
	cmd_print(c, "%s", "");
	cmd_print(c, "- Words are separated by blanks; `'...'` and `\"...\"` "
		     "quote; `;` separates");
	cmd_print(c, "  commands; `#` at the start of a word starts a "
		     "comment; `--` ends flags.");
	cmd_print(c, "- Units: durations `250ms`, `2s`, `1m`, `1h` (a unit "
		     "is required, except for");
	cmd_print(c, "  `0`); sizes `200MB`, `1GB` (powers of 1024); rates "
		     "`20/s`, `5/m`.");
	cmd_print(c, "- A command written `-name` reports its failure but "
		     "does not count it for");
	cmd_print(c, "  the exit code (as make does).");
	cmd_print(c, "- Exit codes: 0 all commands ok; 1 a command failed "
		     "or an `expect` did not");
	cmd_print(c, "  hold; 2 usage error on the command line; 3 the last "
		     "stop hit its bound");
	cmd_print(c, "  and was forced.");
	for (g = 0; g < NGROUPS; g++) {
		cmd_print(c, "%s", "");
		cmd_print(c, "## %s", groups[g][1]);
		for (e = cmd_table; *e != NULL; e++) {
			if (strcmp((*e)->group, groups[g][0]) != 0)
				continue;
			cmd_print(c, "%s", "");
			cmd_print(c, "### %s", (*e)->name);
			cmd_print(c, "%s", "");
			cmd_print(c, "    %s",
				  cmd_usage_line(*e, buf, sizeof buf));
			cmd_print(c, "%s", "");
			cmd_print(c, "%c%s.", toupper((unsigned char)
						      (*e)->summary[0]),
				  (*e)->summary + 1);
			aliases(*e, al, sizeof al);
			if (al[0] != '\0') {
				cmd_print(c, "%s", "");
				cmd_print(c, "Aliases: %s.", al);
			}
			if ((*e)->args.flags[0].name != NULL)
				cmd_print(c, "%s", "");
			for (i = 0; i < CMD_FLAGS_MAX &&
				    (*e)->args.flags[i].name != NULL;
			     i++) {
				f = &(*e)->args.flags[i];
				cmd_print(c, "- `--%s%s`: %s", f->name,
					  type_word(f->type), f->help);
			}
			if ((*e)->help != NULL) {
				cmd_print(c, "%s", "");
				each_line(c, (*e)->help, "");
			}
			if ((*e)->example != NULL) {
				cmd_print(c, "%s", "");
				cmd_print(c, "Example: `%s`", (*e)->example);
			}
		}
	}
}

void
cmd_help(struct cmd_session *s, const char *command)
{
	const struct cmd_entry *e = NULL;
	const char *names[128];
	struct cmd_ctx c;
	char q[64], sug[160];
	size_t n;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.entry = &cmd_help_entry;
	c.name = "help";
	cmd_json_init(&c.reply, false);
	if (command == NULL || *command == '\0') {
		help_list(&c, s->opts.extra_commands);
	} else if ((e = cmd_find(command)) != NULL) {
		cmd_help_one(&c, e);
	} else {
		n = cmd_names(names, sizeof names / sizeof names[0]);
		cmd_suggest(command, names, n, sug, sizeof sug);
		cmd_sink_line(s, CMD_ERR, "help: unknown command '%s'%s",
			      cmd_quote(command, q, sizeof q), sug);
	}
	cmd_ctx_free(&c);
}

enum cmd_retval
cmd_help_exec(struct cmd_ctx *c)
{
	const struct cmd_entry *e;
	const char *names[128];
	char q[64], sug[160];
	size_t n;

	if (cmd_args_has(c, "markdown")) {
		cmd_help_markdown(c);
		return CMD_RETURN_NORMAL;
	}
	if (c->args.argc == 0) {
		help_list(c, c->s->opts.extra_commands);
		return CMD_RETURN_NORMAL;
	}
	e = cmd_find(c->args.argv[0]);
	if (e == NULL) {
		n = cmd_names(names, sizeof names / sizeof names[0]);
		cmd_suggest(c->args.argv[0], names, n, sug, sizeof sug);
		return cmd_error(c, "unknown command '%s'%s",
				 cmd_quote(c->args.argv[0], q, sizeof q), sug);
	}
	cmd_help_one(c, e);
	return CMD_RETURN_NORMAL;
}
