/*
 * tokenize.c - lines into commands into words.
 *
 * The grammar is a small shell's: words are separated by blanks; '...'
 * quotes everything literally; "..." quotes with \\, \" and \$ escapes; a
 * backslash outside quotes escapes the next byte; an unquoted ';' ends a
 * command; a '#' at the start of a word starts a comment that runs to the
 * end of the line.  A command written "-name" has its failure ignored for
 * the exit code, as make does with "-cmd".
 *
 * Everything here is pure: no session, no pool, so the tokenizer is tested
 * on its own (tests/commands/test-tokenize.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int
cmd_check_line(const char *line, size_t len, char *err, size_t errlen)
{
	size_t i;
	unsigned char ch;

	if (len > CMD_LINE_MAX) {
		snprintf(err, errlen,
			 "line too long (%zu bytes; the limit is %d)", len,
			 CMD_LINE_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		ch = (unsigned char)line[i];
		if (ch == '\0') {
			snprintf(err, errlen,
				 "line contains a NUL byte at column %zu",
				 i + 1);
			return -1;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(err, errlen,
				 "line contains control byte 0x%02x at "
				 "column %zu",
				 ch, i + 1);
			return -1;
		}
	}
	return 0;
}

const char *
cmd_quote(const char *word, char *buf, size_t len)
{
	size_t i = 0, o = 0;
	const unsigned char *w = (const unsigned char *)(word ? word : "");

	if (len == 0)
		return "";
	while (w[i] != '\0' && o + 4 < len && i < 40) {
		buf[o++] = (w[i] < 0x20 || w[i] == 0x7f) ? '?' : (char)w[i];
		i++;
	}
	if (w[i] != '\0' && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* A growing word and a growing word list. */
struct tok {
	char *word;
	size_t wlen, wcap;
	bool in_word;
	struct cmd_words cur;
	int curcap;
	struct cmd_list *out;
	int outcap;
	bool oom;
};

static void
add_char(struct tok *t, char ch)
{
	char *nb;
	size_t cap;

	t->in_word = true;
	if (t->wlen + 2 > t->wcap) {
		cap = t->wcap ? t->wcap * 2 : 32;
		nb = realloc(t->word, cap);
		if (nb == NULL) {
			t->oom = true;
			return;
		}
		t->word = nb;
		t->wcap = cap;
	}
	t->word[t->wlen++] = ch;
	t->word[t->wlen] = '\0';
}

static int
end_word(struct tok *t, char *err, size_t errlen)
{
	char **nv;
	char *w;

	if (!t->in_word)
		return 0;
	t->in_word = false;
	if (t->cur.argc >= CMD_WORDS_MAX) {
		snprintf(err, errlen, "too many words (the limit is %d)",
			 CMD_WORDS_MAX);
		return -1;
	}
	w = strndup(t->word ? t->word : "", t->wlen);
	t->wlen = 0;
	if (w == NULL) {
		t->oom = true;
		return 0;
	}
	if (t->cur.argc + 2 > t->curcap) {
		t->curcap = t->curcap ? t->curcap * 2 : 8;
		nv = realloc(t->cur.argv, (size_t)t->curcap * sizeof *nv);
		if (nv == NULL) {
			free(w);
			t->oom = true;
			return 0;
		}
		t->cur.argv = nv;
	}
	t->cur.argv[t->cur.argc++] = w;
	t->cur.argv[t->cur.argc] = NULL;
	return 0;
}

static void
words_free(struct cmd_words *w)
{
	int i;

	for (i = 0; i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	memset(w, 0, sizeof *w);
}

static void
end_command(struct tok *t)
{
	struct cmd_words *nc;
	struct cmd_words *w = &t->cur;

	if (w->argc == 0) {
		words_free(w);
		t->curcap = 0;
		return;
	}
	/* "-name": the command's failure does not count. */
	if (w->argv[0][0] == '-' && w->argv[0][1] != '\0' &&
	    w->argv[0][1] != '-') {
		memmove(w->argv[0], w->argv[0] + 1, strlen(w->argv[0]));
		w->ignore = true;
	}
	if (t->out->n + 1 > t->outcap) {
		t->outcap = t->outcap ? t->outcap * 2 : 4;
		nc = realloc(t->out->cmds, (size_t)t->outcap * sizeof *nc);
		if (nc == NULL) {
			words_free(w);
			t->curcap = 0;
			t->oom = true;
			return;
		}
		t->out->cmds = nc;
	}
	t->out->cmds[t->out->n++] = *w;
	memset(w, 0, sizeof *w);
	t->curcap = 0;
}

int
cmd_tokenize(const char *line, struct cmd_list *out, char *err,
	     size_t errlen)
{
	struct tok t;
	const char *p = line;
	char quote = 0;
	size_t qcol = 0;

	memset(out, 0, sizeof *out);
	memset(&t, 0, sizeof t);
	t.out = out;
	err[0] = '\0';

	for (; *p != '\0' && !t.oom; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				add_char(&t, *p);
			continue;
		}
		if (quote == '"') {
			if (*p == '"') {
				quote = 0;
			} else if (*p == '\\' &&
				   (p[1] == '"' || p[1] == '\\' ||
				    p[1] == '$')) {
				add_char(&t, *++p);
			} else {
				add_char(&t, *p);
			}
			continue;
		}
		switch (*p) {
		case ' ':
		case '\t':
			if (end_word(&t, err, errlen) != 0)
				goto fail;
			break;
		case ';':
			if (end_word(&t, err, errlen) != 0)
				goto fail;
			end_command(&t);
			break;
		case '\'':
		case '"':
			quote = *p;
			qcol = (size_t)(p - line) + 1;
			t.in_word = true;
			break;
		case '\\':
			if (p[1] == '\0') {
				snprintf(err, errlen,
					 "trailing backslash at column %zu",
					 (size_t)(p - line) + 1);
				goto fail;
			}
			add_char(&t, *++p);
			break;
		case '#':
			if (!t.in_word)
				goto done;
			add_char(&t, *p);
			break;
		default:
			add_char(&t, *p);
		}
	}
done:
	if (quote != 0) {
		snprintf(err, errlen, "unterminated %s quote (opened at column "
			 "%zu)", quote == '"' ? "double" : "single", qcol);
		goto fail;
	}
	if (!t.oom && end_word(&t, err, errlen) != 0)
		goto fail;
	if (!t.oom)
		end_command(&t);
	if (t.oom) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	free(t.word);
	return 0;
fail:
	free(t.word);
	words_free(&t.cur);
	cmd_list_free(out);
	return -1;
}

void
cmd_list_free(struct cmd_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		words_free(&l->cmds[i]);
	free(l->cmds);
	memset(l, 0, sizeof *l);
}
