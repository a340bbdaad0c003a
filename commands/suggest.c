/*
 * suggest.c - "did you mean": the closest names to a misspelt word.
 *
 * Optimal string alignment distance (Levenshtein plus adjacent swaps, so
 * "sbumit" is one edit from "submit").  A candidate is close when its
 * distance is at most a third of the word's length (at least 1), or when
 * the typed word is a prefix of it.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define SUGGEST_MAXLEN 32

unsigned
cmd_distance(const char *a, const char *b)
{
	unsigned d[SUGGEST_MAXLEN + 1][SUGGEST_MAXLEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned cost, v;

	if (la > SUGGEST_MAXLEN || lb > SUGGEST_MAXLEN)
		return 1000;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

char *
cmd_suggest(const char *typed, const char *const *cands, size_t n, char *buf,
	    size_t len)
{
	const char *pick[3];
	unsigned best = 1000, dist, limit;
	size_t i, np = 0, tl = strlen(typed), k;

	buf[0] = '\0';
	if (tl == 0)
		return buf;
	limit = (unsigned)(tl / 3);
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	/* The best distance first, then everything at that distance. */
	for (i = 0; i < n; i++) {
		dist = cmd_distance(typed, cands[i]);
		if (tl >= 2 && strncmp(typed, cands[i], tl) == 0)
			dist = 1;
		if (dist <= limit && dist < best)
			best = dist;
	}
	if (best == 1000)
		return buf;
	for (i = 0; i < n && np < 3; i++) {
		dist = cmd_distance(typed, cands[i]);
		if (tl >= 2 && strncmp(typed, cands[i], tl) == 0)
			dist = 1;
		if (dist != best)
			continue;
		for (k = 0; k < np; k++)
			if (strcmp(pick[k], cands[i]) == 0)
				break;
		if (k == np)
			pick[np++] = cands[i];
	}
	if (np == 1)
		snprintf(buf, len, "; did you mean '%s'?", pick[0]);
	else if (np == 2)
		snprintf(buf, len, "; did you mean '%s' or '%s'?", pick[0],
			 pick[1]);
	else
		snprintf(buf, len, "; did you mean '%s', '%s' or '%s'?",
			 pick[0], pick[1], pick[2]);
	return buf;
}
