/*
 * json.c - a small JSON text builder.
 *
 * Replies and events in --json mode are one JSON object on one line.  The
 * builder appends to a growing buffer, tracks commas per nesting level and
 * escapes strings; text that is not valid UTF-8 becomes U+FFFD so the
 * output always parses.  An allocation failure poisons the builder (the
 * text becomes empty) instead of failing every call site.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void
put(struct cmd_json *j, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		cap = j->cap ? j->cap : 128;
		while (j->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(j->buf, cap);
		if (nb == NULL) {
			j->oom = true;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
puts_(struct cmd_json *j, const char *s)
{
	put(j, s, strlen(s));
}

void
cmd_json_init(struct cmd_json *j, bool open_object)
{
	memset(j, 0, sizeof *j);
	if (open_object) {
		puts_(j, "{");
		j->depth = 1;
		j->first[1] = true;
	} else {
		/* A member list that follows members already written. */
		j->depth = 1;
		j->first[1] = false;
	}
}

void
cmd_json_free(struct cmd_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof *j);
}

const char *
cmd_json_text(struct cmd_json *j)
{
	if (j->oom || j->buf == NULL)
		return "";
	return j->buf;
}

/* Length of the valid UTF-8 sequence at s, or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
cmd_json_quote(struct cmd_json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	char esc[8];
	size_t n;

	puts_(j, "\"");
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s;
			put(j, esc, 2);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			switch (*s) {
			case '\n':
				puts_(j, "\\n");
				break;
			case '\t':
				puts_(j, "\\t");
				break;
			case '\r':
				puts_(j, "\\r");
				break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", *s);
				puts_(j, esc);
			}
			s++;
		} else if ((n = utf8_len(s)) == 0) {
			puts_(j, "\\ufffd");
			s++;
		} else {
			put(j, (const char *)s, n);
			s += n;
		}
	}
	puts_(j, "\"");
}

/* Comma and key before a member. */
static void
member(struct cmd_json *j, const char *key)
{
	if (!j->first[j->depth])
		puts_(j, ",");
	j->first[j->depth] = false;
	if (key != NULL) {
		cmd_json_quote(j, key);
		puts_(j, ":");
	}
}

static void
open_(struct cmd_json *j, const char *key, const char *brace)
{
	member(j, key);
	puts_(j, brace);
	if (j->depth + 1 < (int)(sizeof j->first / sizeof j->first[0]))
		j->depth++;
	j->first[j->depth] = true;
}

static void
close_(struct cmd_json *j, const char *brace)
{
	if (j->depth > 0)
		j->depth--;
	puts_(j, brace);
}

void
cmd_json_obj_open(struct cmd_json *j, const char *key)
{
	open_(j, key, "{");
}

void
cmd_json_obj_close(struct cmd_json *j)
{
	close_(j, "}");
}

void
cmd_json_arr_open(struct cmd_json *j, const char *key)
{
	open_(j, key, "[");
}

void
cmd_json_arr_close(struct cmd_json *j)
{
	close_(j, "]");
}

void
cmd_json_str(struct cmd_json *j, const char *key, const char *val)
{
	member(j, key);
	if (val == NULL)
		puts_(j, "null");
	else
		cmd_json_quote(j, val);
}

void
cmd_json_u64(struct cmd_json *j, const char *key, uint64_t v)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof b, "%" PRIu64, v);
	puts_(j, b);
}

void
cmd_json_i64(struct cmd_json *j, const char *key, int64_t v)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof b, "%" PRId64, v);
	puts_(j, b);
}

void
cmd_json_dbl(struct cmd_json *j, const char *key, double v)
{
	char b[48];

	member(j, key);
	if (!isfinite(v)) {
		puts_(j, "null");
		return;
	}
	snprintf(b, sizeof b, "%.3f", v);
	puts_(j, b);
}

void
cmd_json_bool(struct cmd_json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void
cmd_json_null(struct cmd_json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

void
cmd_json_raw(struct cmd_json *j, const char *text)
{
	puts_(j, text);
}
