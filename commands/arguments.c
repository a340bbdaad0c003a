/*
 * arguments.c - a command's words checked against its table entry.
 *
 * Flags are long ("--timeout 2s" or "--timeout=2s") and may appear
 * anywhere; "--" ends them, so free text can start with a dash.  A word
 * with a single leading dash is a positional ("resize -5" then fails as a
 * negative number, with that message).  Every flag value is parsed by its
 * type here, before the command runs, so a bad value is a usage error even
 * for a command that will run on the runner thread.  Every command also
 * takes --json and --help.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define COUNT_MAX 1000000000ull

static int
flag_index(const struct cmd_entry *e, const char *name, size_t len)
{
	int i;

	for (i = 0; i < CMD_FLAGS_MAX && e->args.flags[i].name != NULL; i++) {
		if (strlen(e->args.flags[i].name) == len &&
		    strncmp(e->args.flags[i].name, name, len) == 0)
			return i;
	}
	return -1;
}

static const char *
type_hint(enum cmd_arg_type t)
{
	switch (t) {
	case CMD_ARG_COUNT:
		return "a number";
	case CMD_ARG_DURATION:
		return "a duration like 2s or 250ms";
	case CMD_ARG_PRIORITY:
		return "a priority 0-9";
	case CMD_ARG_RATE:
		return "a rate like 20/s";
	default:
		return "a value";
	}
}

static int
parse_value(const struct cmd_flag_spec *f, const char *v,
	    struct cmd_flag_value *out, char *err, size_t errlen)
{
	char e[160];
	uint64_t u;

	switch (f->type) {
	case CMD_ARG_STRING:
		break;
	case CMD_ARG_COUNT:
		if (cmd_parse_u64(v, COUNT_MAX, &u, e, sizeof e) != 0)
			goto bad;
		out->u = u;
		break;
	case CMD_ARG_DURATION:
		if (cmd_parse_duration(v, true, &u, e, sizeof e) != 0)
			goto bad;
		out->u = u;
		break;
	case CMD_ARG_PRIORITY:
		if (cmd_parse_u64(v, UINT64_MAX, &u, e, sizeof e) != 0)
			goto bad;
		if (u > WP_PRIORITY_MAX) {
			snprintf(err, errlen,
				 "--%s %" PRIu64 " is out of range (%d-%d)",
				 f->name, u, WP_PRIORITY_MIN, WP_PRIORITY_MAX);
			return -1;
		}
		out->u = u;
		break;
	case CMD_ARG_RATE:
		if (cmd_parse_rate(v, &out->d, e, sizeof e) != 0)
			goto bad;
		break;
	case CMD_ARG_BOOL:
		break;
	}
	out->str = v;
	out->set = true;
	return 0;
bad:
	snprintf(err, errlen, "--%s: %s", f->name, e);
	return -1;
}

static int
unknown_flag(const struct cmd_entry *e, const char *word, size_t len,
	     char *err, size_t errlen)
{
	char dashed[CMD_FLAGS_MAX + 2][40], typed[48], q[64], sug[160];
	const char *names[CMD_FLAGS_MAX + 2];
	size_t n = 0, i;

	for (i = 0; i < CMD_FLAGS_MAX && e->args.flags[i].name != NULL; i++)
		snprintf(dashed[n++], sizeof dashed[0], "--%s",
			 e->args.flags[i].name);
	snprintf(dashed[n++], sizeof dashed[0], "--json");
	snprintf(dashed[n++], sizeof dashed[0], "--help");
	for (i = 0; i < n; i++)
		names[i] = dashed[i];
	snprintf(typed, sizeof typed, "%.*s", (int)(len < 40 ? len + 2 : 42),
		 word);
	cmd_suggest(typed, names, n, sug, sizeof sug);
	snprintf(err, errlen, "unknown flag '%s'%s",
		 cmd_quote(typed, q, sizeof q), sug);
	return -1;
}

int
cmd_args_parse(const struct cmd_entry *e, const struct cmd_words *w,
	       struct cmd_args *out, char *err, size_t errlen)
{
	const struct cmd_flag_spec *f;
	const char *word, *eq, *val;
	char q[64];
	size_t len;
	int i, fi;
	bool dashdash = false;

	memset(out, 0, sizeof *out);
	out->argv = calloc((size_t)w->argc + 1, sizeof *out->argv);
	if (out->argv == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 1; i < w->argc; i++) {
		word = w->argv[i];
		if (dashdash || word[0] != '-' || word[1] != '-') {
			out->argv[out->argc++] = word;
			continue;
		}
		if (word[2] == '\0') {
			dashdash = true;
			continue;
		}
		eq = strchr(word, '=');
		len = eq ? (size_t)(eq - word) - 2 : strlen(word) - 2;
		if (len == 4 && strncmp(word + 2, "json", 4) == 0 && !eq) {
			out->json = true;
			continue;
		}
		if (len == 4 && strncmp(word + 2, "help", 4) == 0 && !eq) {
			out->help = true;
			continue;
		}
		fi = flag_index(e, word + 2, len);
		if (fi < 0)
			goto unknown;
		f = &e->args.flags[fi];
		if (out->flags[fi].set) {
			snprintf(err, errlen, "--%s given twice", f->name);
			goto fail;
		}
		if (f->type == CMD_ARG_BOOL) {
			if (eq != NULL) {
				snprintf(err, errlen, "--%s takes no value",
					 f->name);
				goto fail;
			}
			out->flags[fi].set = true;
			out->flags[fi].str = word;
			continue;
		}
		if (eq != NULL) {
			val = eq + 1;
		} else if (i + 1 < w->argc) {
			val = w->argv[++i];
		} else {
			snprintf(err, errlen, "--%s needs a value (%s)",
				 f->name, type_hint(f->type));
			goto fail;
		}
		if (*val == '\0') {
			snprintf(err, errlen, "--%s needs a value (%s)",
				 f->name, type_hint(f->type));
			goto fail;
		}
		if (parse_value(f, val, &out->flags[fi], err, errlen) != 0)
			goto fail;
	}
	if (out->help)
		return 0;
	if (out->argc < e->args.lower) {
		snprintf(err, errlen, "missing argument%s",
			 e->args.lower - out->argc > 1 ? "s" : "");
		goto fail;
	}
	if (e->args.upper >= 0 && out->argc > e->args.upper) {
		if (e->args.upper == 0)
			snprintf(err, errlen, "takes no arguments (got '%s')",
				 cmd_quote(out->argv[0], q, sizeof q));
		else
			snprintf(err, errlen,
				 "too many arguments (from '%s' on)",
				 cmd_quote(out->argv[e->args.upper], q,
					   sizeof q));
		goto fail;
	}
	return 0;
unknown:
	unknown_flag(e, word, len, err, errlen);
fail:
	free(out->argv);
	memset(out, 0, sizeof *out);
	return -1;
}

void
cmd_args_free(struct cmd_args *a)
{
	free(a->argv);
	memset(a, 0, sizeof *a);
}

static const struct cmd_flag_value *
lookup(const struct cmd_ctx *c, const char *flag)
{
	int fi = flag_index(c->entry, flag, strlen(flag));

	if (fi < 0 || !c->args.flags[fi].set)
		return NULL;
	return &c->args.flags[fi];
}

bool
cmd_args_has(const struct cmd_ctx *c, const char *flag)
{
	return lookup(c, flag) != NULL;
}

uint64_t
cmd_args_u64(const struct cmd_ctx *c, const char *flag, uint64_t dflt)
{
	const struct cmd_flag_value *v = lookup(c, flag);

	return v ? v->u : dflt;
}

double
cmd_args_dbl(const struct cmd_ctx *c, const char *flag, double dflt)
{
	const struct cmd_flag_value *v = lookup(c, flag);

	return v ? v->d : dflt;
}

const char *
cmd_args_str(const struct cmd_ctx *c, const char *flag)
{
	const struct cmd_flag_value *v = lookup(c, flag);

	return v ? v->str : NULL;
}
