/*
 * fmt.c - the console's number and time formats.
 *
 * Every pane shows durations, counts and sizes in the same short forms so
 * that columns line up and an operator reads them at a glance.  Pure
 * functions: no curses, no pool calls, unit-tested on their own.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#define WPTUI_INTERNAL
#include "tui.h"

char *
tui_fmt_dur(char *buf, size_t n, int64_t ns)
{
	if (ns < 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	if (ns == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	if (ns < 1000000) {
		snprintf(buf, n, "%" PRId64 "us", ns / 1000);
	} else if (ns < 10000000) {
		snprintf(buf, n, "%.1fms", (double)ns / 1e6);
	} else if (ns < 1000000000) {
		snprintf(buf, n, "%" PRId64 "ms", ns / 1000000);
	} else if (ns < 60 * 1000000000LL) {
		if (ns % 1000000000 == 0) /* whole seconds: settings, ages */
			snprintf(buf, n, "%" PRId64 "s", ns / 1000000000);
		else
			snprintf(buf, n, "%.1fs", (double)ns / 1e9);
	} else {
		int64_t s = ns / 1000000000LL;
		if (s < 3600)
			snprintf(buf, n, "%" PRId64 "m%02" PRId64 "s", s / 60,
				 s % 60);
		else if (s < 86400)
			snprintf(buf, n, "%" PRId64 "h%02" PRId64 "m", s / 3600,
				 s % 3600 / 60);
		else
			snprintf(buf, n, "%" PRId64 "d%02" PRId64 "h",
				 s / 86400, s % 86400 / 3600);
	}
	return buf;
}

char *
tui_fmt_ms(char *buf, size_t n, double ms)
{
	if (ms < 0)
		snprintf(buf, n, "-");
	else if (ms < 10)
		snprintf(buf, n, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(buf, n, "%.0fms", ms);
	else
		tui_fmt_dur(buf, n, (int64_t)(ms * 1e6));
	return buf;
}

static char *
scaled(char *buf, size_t n, uint64_t v, unsigned base, const char *units,
       const char *one)
{
	double d = (double)v;
	int u = 0;

	if (v < base) {
		snprintf(buf, n, "%" PRIu64 "%s", v, one);
		return buf;
	}
	while (d >= base && units[u + 1] != '\0') {
		d /= base;
		u++;
	}
	if (d >= base) /* past the last unit */
		snprintf(buf, n, "%.0f%c", d, units[u]);
	else if (d < 10)
		snprintf(buf, n, "%.2f%c", d, units[u]);
	else if (d < 100)
		snprintf(buf, n, "%.1f%c", d, units[u]);
	else
		snprintf(buf, n, "%.0f%c", d, units[u]);
	return buf;
}

char *
tui_fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v < 10000) {
		snprintf(buf, n, "%" PRIu64, v);
		return buf;
	}
	return scaled(buf, n, v, 1000, " kMGTP", "");
}

char *
tui_fmt_bytes(char *buf, size_t n, uint64_t v)
{
	return scaled(buf, n, v, 1024, "BKMGTP", "B");
}

char *
tui_fmt_clock(char *buf, size_t n, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (wall_ms <= 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, n, "--:--:--");
		return buf;
	}
	strftime(buf, n, "%H:%M:%S", &tm);
	return buf;
}

int64_t
tui_mono_to_wall(int64_t at_ns, int64_t now_ns, int64_t now_wall_ms)
{
	return now_wall_ms - (now_ns - at_ns) / 1000000;
}

int64_t
tui_parse_ms(const char *s)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		;
	else if (strcmp(end, "s") == 0)
		v *= 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		v *= 60000;
	else
		return -1;
	if (v > 1e12)
		return -1;
	return (int64_t)(v + 0.5);
}

const char *
tui_state_label(enum wp_pool_state st)
{
	switch (st) {
	case WP_STATE_CREATED:
		return "CREATED";
	case WP_STATE_RUNNING:
		return "RUNNING";
	case WP_STATE_PAUSED:
		return "PAUSED";
	case WP_STATE_DRAINING:
		return "DRAINING";
	case WP_STATE_STOPPING:
		return "STOPPING";
	case WP_STATE_STOPPED:
		return "STOPPED";
	case WP_STATE_FORCED:
		return "FORCED";
	}
	return "?";
}

int
tui_text_width(const char *s, size_t len)
{
	mbstate_t ps;
	int w = 0;

	memset(&ps, 0, sizeof(ps));
	while (len > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		int cw;

		if (k == (size_t)-1 || k == (size_t)-2) {
			/* Invalid or cut short: one column per byte. */
			memset(&ps, 0, sizeof(ps));
			k = 1;
			cw = 1;
		} else if (k == 0) {
			k = 1;
			cw = 2; /* a NUL shows as ^@ */
		} else if (wc == L'\t') {
			cw = 8 - w % 8;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 2; /* a control character shows as ^X */
		}
		w += cw;
		s += k;
		len -= k;
	}
	return w;
}

uint64_t
tui_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 1099511628211ull;
	}
	return h;
}
