/*
 * complete.c - readline completion from the table.
 *
 * The text before the word being completed is tokenized like a command
 * line; its last command decides what fits: command names first, then
 * flags of that command after "--", then the completion spec of the
 * positional word's index (kinds, settings, metrics, fixed words ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define MAX_CANDS 256

struct cands {
	const char *v[MAX_CANDS];
	size_t n;
	char owned[32][16]; /* job ids */
	size_t nowned;
};

static void
add(struct cands *c, const char *s)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	if (c->n < MAX_CANDS)
		c->v[c->n++] = s;
}

static void
add_words(struct cands *c, const char *words, char *store, size_t len)
{
	char *p, *save = NULL;

	snprintf(store, len, "%s", words);
	for (p = strtok_r(store, " ", &save); p != NULL;
	     p = strtok_r(NULL, " ", &save))
		add(c, p);
}

static bool
is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static const struct cmd_flag_spec *
find_flag(const struct cmd_entry *e, const char *word)
{
	int i;

	for (i = 0; i < CMD_FLAGS_MAX && e->args.flags[i].name != NULL; i++)
		if (strcmp(e->args.flags[i].name, word + 2) == 0)
			return &e->args.flags[i];
	return NULL;
}

/* readline's shape: [common prefix, matches..., NULL], one match alone. */
static char **
build(const struct cands *c, const char *prefix)
{
	const char *m[MAX_CANDS];
	size_t n = 0, i, k, lcp;
	char **out;

	for (i = 0; i < c->n; i++)
		if (strncmp(c->v[i], prefix, strlen(prefix)) == 0)
			m[n++] = c->v[i];
	if (n == 0)
		return NULL;
	out = calloc(n + 2, sizeof *out);
	if (out == NULL)
		return NULL;
	if (n == 1) {
		out[0] = strdup(m[0]);
		if (out[0] == NULL) {
			free(out);
			return NULL;
		}
		return out;
	}
	lcp = strlen(m[0]);
	for (i = 1; i < n; i++) {
		for (k = 0; k < lcp && m[i][k] == m[0][k]; k++)
			;
		lcp = k;
	}
	out[0] = strndup(m[0], lcp);
	for (i = 0; i < n; i++)
		out[i + 1] = strdup(m[i]);
	for (i = 0; i < n + 1; i++) {
		if (out[i] == NULL) {
			for (k = 0; k < n + 1; k++)
				free(out[k]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static void
positional(struct cmd_session *s, struct cands *c, const struct cmd_entry *e,
	   int index, char *store, size_t len)
{
	const char *names[MAX_CANDS];
	struct cmd_job_info jobs[32];
	const struct cmd_complete_spec *cs;
	size_t n, i;
	enum wp_option o;

	if (index > 2)
		index = 2;
	cs = &e->complete[index];
	switch (cs->type) {
	case CMD_COMP_WORDS:
		add_words(c, cs->words, store, len);
		break;
	case CMD_COMP_COMMAND:
		n = cmd_names(names, MAX_CANDS);
		for (i = 0; i < n; i++)
			add(c, names[i]);
		break;
	case CMD_COMP_KIND:
		n = cmd_kind_names(s, names, MAX_CANDS);
		for (i = 0; i < n; i++)
			add(c, names[i]);
		break;
	case CMD_COMP_OPTION:
		for (o = 0; o < WP_OPT_COUNT; o++)
			if (wp_option_info(o) != NULL)
				add(c, wp_option_info(o)->name);
		break;
	case CMD_COMP_METRIC:
		n = cmd_expect_names(names, MAX_CANDS);
		for (i = 0; i < n; i++)
			add(c, names[i]);
		break;
	case CMD_COMP_OP:
		add_words(c, "== != < <= > >=", store, len);
		break;
	case CMD_COMP_JOB:
		n = cmd_session_jobs(s, jobs, 32);
		for (i = 0; i < n && c->nowned < 32; i++) {
			snprintf(c->owned[c->nowned], sizeof c->owned[0], "%u",
				 jobs[i].id);
			add(c, c->owned[c->nowned++]);
		}
		break;
	default:
		break;
	}
}

char **
cmd_complete(struct cmd_session *s, const char *line, int start, int end)
{
	struct cands c;
	struct cmd_list list;
	const struct cmd_entry *e;
	const struct cmd_flag_spec *f;
	const struct cmd_words *w;
	const char *names[MAX_CANDS], *const *x;
	char before[CMD_LINE_MAX + 1], prefix[CMD_LINE_MAX + 1], err[128];
	char store[256];
	size_t n, i;
	int k, index;
	char **out;

	if (line == NULL || start < 0 || end < start ||
	    (size_t)end > strlen(line) || (size_t)end > CMD_LINE_MAX)
		return NULL;
	memcpy(before, line, (size_t)start);
	before[start] = '\0';
	memcpy(prefix, line + start, (size_t)(end - start));
	prefix[end - start] = '\0';
	memset(&c, 0, sizeof c);

	/* A ';' (or nothing) just before: a command name. */
	if (cmd_tokenize(before, &list, err, sizeof err) != 0)
		return NULL;
	n = strlen(before);
	while (n > 0 && (before[n - 1] == ' ' || before[n - 1] == '\t'))
		n--;
	if (list.n == 0 || (n > 0 && before[n - 1] == ';')) {
		cmd_list_free(&list);
		n = cmd_names(names, MAX_CANDS);
		for (i = 0; i < n; i++)
			add(&c, names[i]);
		for (x = s->opts.extra_commands; x != NULL && *x != NULL; x++)
			add(&c, *x);
		return build(&c, prefix);
	}
	w = &list.cmds[list.n - 1];
	e = cmd_find(w->argv[0]);
	if (e == NULL) {
		cmd_list_free(&list);
		return NULL;
	}
	if (prefix[0] == '-' && prefix[1] == '-') {
		for (i = 0; i < CMD_FLAGS_MAX && e->args.flags[i].name != NULL;
		     i++) {
			snprintf(store + i * 24, 24, "--%s",
				 e->args.flags[i].name);
			add(&c, store + i * 24);
		}
		add(&c, "--json");
		add(&c, "--help");
		cmd_list_free(&list);
		return build(&c, prefix);
	}
	/* Which positional is being typed: skip flags and their values. */
	index = 0;
	for (k = 1; k < w->argc; k++) {
		if (strncmp(w->argv[k], "--", 2) == 0) {
			f = find_flag(e, w->argv[k]);
			if (f != NULL && f->type != CMD_ARG_BOOL &&
			    strchr(w->argv[k], '=') == NULL)
				k++;
			continue;
		}
		/* submit's optional count before the kind. */
		if (index == 0 && e->complete[0].type == CMD_COMP_KIND &&
		    is_number(w->argv[k]))
			continue;
		index++;
	}
	positional(s, &c, e, index, store, sizeof store);
	out = build(&c, prefix);
	cmd_list_free(&list);
	return out;
}
