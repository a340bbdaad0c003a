/*
 * cmd-help.c - `help [COMMAND]`: from the table (help.c).
 */
#include "cmd.h"

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = {"?", NULL},
	.group = "looking",
	.usage = "[COMMAND] [--markdown]",
	.summary = "list the commands, or show one",
	.args = {0, 1,
		 {{"markdown", CMD_ARG_BOOL,
		   "the command reference (docs/commands.md)"},
		  {NULL, 0, NULL}}},
	.complete = {{CMD_COMP_COMMAND, NULL}},
	.exec = cmd_help_exec,
};
