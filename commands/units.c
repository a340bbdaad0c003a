/*
 * units.c - numbers, durations, sizes and rates, typed and printed.
 *
 * Every parser takes the whole word or nothing: no sign, no leading blank,
 * no trailing garbage, no silent wrap-around.  A duration needs a unit
 * ("500" is refused: was it ms or s?), except for 0.  Sizes use powers of
 * 1024 (KB, MB, GB; KiB, MiB, GiB are accepted too).  Errors are one phrase
 * that names the word ("bad duration '5x': unknown unit 'x' ...") for the
 * caller to prefix with what it was parsing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"

/* A decimal "123" or "1.25": integer part and fraction as num/den.
 * Returns bytes consumed, 0 if no digit; -1 on overflow. */
static int
decimal(const char *s, uint64_t *ip, uint64_t *fnum, uint64_t *fden)
{
	const char *p = s;
	uint64_t v = 0, n = 0, d = 1;
	bool any = false;

	while (*p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
		any = true;
	}
	if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (d < 1000000000ull) {
				n = n * 10 + (uint64_t)(*p - '0');
				d *= 10;
			}
			p++;
			any = true;
		}
	}
	if (!any)
		return 0;
	*ip = v;
	*fnum = n;
	*fden = d;
	return (int)(p - s);
}

/* ip.frac x mult, saturating to UINT64_MAX on overflow. */
static uint64_t
scale(uint64_t ip, uint64_t fnum, uint64_t fden, uint64_t mult)
{
	if (mult != 0 && ip > UINT64_MAX / mult)
		return UINT64_MAX;
	return ip * mult + (fnum * mult) / fden;
}

int
cmd_parse_u64(const char *s, uint64_t max, uint64_t *out, char *err,
	      size_t errlen)
{
	char q[64];
	const char *p = s;
	uint64_t v = 0;

	if (*s == '-') {
		snprintf(err, errlen, "'%s' is negative",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	if (*s < '0' || *s > '9') {
		snprintf(err, errlen, "'%s' is not a number",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10 ||
		    v * 10 + (uint64_t)(*p - '0') > max) {
			snprintf(err, errlen,
				 "%s is too large (the limit is %" PRIu64 ")",
				 cmd_quote(s, q, sizeof q), max);
			return -1;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0') {
		snprintf(err, errlen, "'%s' is not a number",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	uint64_t ns; /* nanoseconds per unit */
} dunits[] = {
	{"ms", 1000000ull},     {"s", 1000000000ull},
	{"sec", 1000000000ull}, {"m", 60000000000ull},
	{"min", 60000000000ull}, {"h", 3600000000000ull},
	{"us", 1000ull},        {"ns", 1ull},
};

/* A duration in ns; "off", "none" (with allow_off) and "0" are 0. */
static int
parse_ns(const char *s, bool allow_off, uint64_t *ns, char *err, size_t errlen)
{
	char q[64], unit[8];
	const char *p = s;
	uint64_t total_ns = 0, ip, fn, fd, add;
	size_t i, ul;
	int n;

	if (allow_off && (strcasecmp(s, "off") == 0 ||
			  strcasecmp(s, "none") == 0)) {
		*ns = 0;
		return 0;
	}
	if (*s == '-') {
		snprintf(err, errlen, "duration '%s' is negative",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		goto bad;
	while (*p != '\0') {
		n = decimal(p, &ip, &fn, &fd);
		if (n < 0)
			goto big;
		if (n == 0)
			goto bad;
		p += n;
		for (ul = 0; p[ul] >= 'a' && p[ul] <= 'z' && ul < 7; ul++)
			unit[ul] = p[ul];
		unit[ul] = '\0';
		if (ul == 0) {
			snprintf(err, errlen,
				 "duration '%s' needs a unit (ms, s, m or h), "
				 "e.g. 500ms or 2s",
				 cmd_quote(s, q, sizeof q));
			return -1;
		}
		for (i = 0; i < sizeof dunits / sizeof dunits[0]; i++)
			if (strcmp(unit, dunits[i].name) == 0)
				break;
		if (i == sizeof dunits / sizeof dunits[0] ||
		    (p[ul] >= 'a' && p[ul] <= 'z')) {
			snprintf(err, errlen,
				 "bad duration '%s': unknown unit '%s' (use ms, "
				 "s, m or h)",
				 cmd_quote(s, q, sizeof q), unit);
			return -1;
		}
		p += ul;
		add = scale(ip, fn, fd, dunits[i].ns);
		if (add == UINT64_MAX || total_ns > UINT64_MAX - add)
			goto big;
		total_ns += add;
	}
	if (total_ns / 1000000ull > CMD_DURATION_MAX_MS)
		goto big;
	*ns = total_ns;
	return 0;
bad:
	snprintf(err, errlen,
		 "bad duration '%s' (use a number and a unit: 250ms, 2s, 1m)",
		 cmd_quote(s, q, sizeof q));
	return -1;
big:
	snprintf(err, errlen, "duration '%s' is too long (the limit is 30 days)",
		 cmd_quote(s, q, sizeof q));
	return -1;
}

int
cmd_parse_duration(const char *s, bool allow_off, uint64_t *ms, char *err,
		   size_t errlen)
{
	char q[64];
	uint64_t ns;

	if (parse_ns(s, allow_off, &ns, err, errlen) != 0)
		return -1;
	if (ns != 0 && ns < 1000000ull) {
		snprintf(err, errlen,
			 "duration '%s' is below the 1ms resolution",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	*ms = ns / 1000000ull;
	return 0;
}

int
cmd_parse_duration_us(const char *s, uint64_t *us, char *err, size_t errlen)
{
	char q[64];
	uint64_t ns;

	if (parse_ns(s, true, &ns, err, errlen) != 0)
		return -1;
	if (ns != 0 && ns < 1000ull) {
		snprintf(err, errlen,
			 "duration '%s' is below the 1us resolution",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	*us = ns / 1000ull;
	return 0;
}

int
cmd_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} su[] = {
		{"", 1},          {"b", 1},           {"k", 1ull << 10},
		{"kb", 1ull << 10}, {"kib", 1ull << 10}, {"m", 1ull << 20},
		{"mb", 1ull << 20}, {"mib", 1ull << 20}, {"g", 1ull << 30},
		{"gb", 1ull << 30}, {"gib", 1ull << 30}, {"t", 1ull << 40},
		{"tb", 1ull << 40}, {"tib", 1ull << 40},
	};
	char q[64];
	uint64_t ip, fn, fd, v;
	size_t i;
	int n;

	if (*s == '-') {
		snprintf(err, errlen, "size '%s' is negative",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	n = decimal(s, &ip, &fn, &fd);
	if (n < 0)
		goto big;
	if (n == 0) {
		snprintf(err, errlen,
			 "bad size '%s' (use a number and a unit: 200MB, 1GB)",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	for (i = 0; i < sizeof su / sizeof su[0]; i++)
		if (strcasecmp(s + n, su[i].name) == 0)
			break;
	if (i == sizeof su / sizeof su[0]) {
		snprintf(err, errlen,
			 "bad size '%s': unknown unit '%s' (use B, KB, MB or GB)",
			 cmd_quote(s, q, sizeof q), s + n);
		return -1;
	}
	v = scale(ip, fn, fd, su[i].mult);
	if (v == UINT64_MAX)
		goto big;
	*bytes = v;
	return 0;
big:
	snprintf(err, errlen, "size '%s' is too large",
		 cmd_quote(s, q, sizeof q));
	return -1;
}

int
cmd_parse_rate(const char *s, double *per_s, char *err, size_t errlen)
{
	char q[64];
	uint64_t ip, fn, fd;
	double v, per = 1.0;
	int n;

	if (*s == '-') {
		snprintf(err, errlen, "rate '%s' is negative",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	n = decimal(s, &ip, &fn, &fd);
	if (n <= 0)
		goto bad;
	if (s[n] == '\0' || strcmp(s + n, "/s") == 0)
		per = 1.0;
	else if (strcmp(s + n, "/m") == 0 || strcmp(s + n, "/min") == 0)
		per = 60.0;
	else if (strcmp(s + n, "/h") == 0)
		per = 3600.0;
	else
		goto bad;
	v = ((double)ip + (double)fn / (double)fd) / per;
	if (v <= 0.0) {
		snprintf(err, errlen, "rate '%s' must be above zero",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	if (v > CMD_RATE_MAX) {
		snprintf(err, errlen, "rate '%s' is too high (the limit is "
			 "%.0f/s)", cmd_quote(s, q, sizeof q), CMD_RATE_MAX);
		return -1;
	}
	*per_s = v;
	return 0;
bad:
	snprintf(err, errlen, "bad rate '%s' (use N/s or N/m, e.g. 20/s)",
		 cmd_quote(s, q, sizeof q));
	return -1;
}

int
cmd_parse_bool(const char *s, bool *out, char *err, size_t errlen)
{
	char q[64];

	if (strcasecmp(s, "on") == 0 || strcasecmp(s, "true") == 0 ||
	    strcasecmp(s, "yes") == 0 || strcmp(s, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(s, "off") == 0 || strcasecmp(s, "false") == 0 ||
	    strcasecmp(s, "no") == 0 || strcmp(s, "0") == 0) {
		*out = false;
		return 0;
	}
	snprintf(err, errlen, "'%s' is not on or off",
		 cmd_quote(s, q, sizeof q));
	return -1;
}

int
cmd_parse_permille(const char *s, uint64_t *out, char *err, size_t errlen)
{
	char q[64];
	uint64_t ip, fn, fd;
	int n;

	if (*s == '-') {
		snprintf(err, errlen, "'%s' is negative",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	n = decimal(s, &ip, &fn, &fd);
	if (n < 0 || (n > 0 && ip > 1000000)) {
		snprintf(err, errlen, "'%s' is too large",
			 cmd_quote(s, q, sizeof q));
		return -1;
	}
	if (n > 0 && strcmp(s + n, "%") == 0) {
		*out = scale(ip, fn, fd, 10);
		return 0;
	}
	if (n > 0 && s[n] == '\0' && fn == 0) {
		*out = ip;
		return 0;
	}
	snprintf(err, errlen,
		 "bad rate '%s' (use a percentage like 10%% or permille "
		 "like 100)",
		 cmd_quote(s, q, sizeof q));
	return -1;
}

char *
cmd_fmt_ms(uint64_t ms, char *buf, size_t len)
{
	if (ms == 0)
		snprintf(buf, len, "0ms");
	else if (ms % 3600000 == 0)
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

char *
cmd_fmt_ns(int64_t ns, char *buf, size_t len)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else if (ns < 60 * 1000000000ll)
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	else
		snprintf(buf, len, "%.1fm", (double)ns / 60e9);
	return buf;
}

char *
cmd_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b != 0 && b % (1ull << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "GB", b >> 30);
	else if (b != 0 && b % (1ull << 20) == 0)
		snprintf(buf, len, "%" PRIu64 "MB", b >> 20);
	else if (b >= (1ull << 30))
		snprintf(buf, len, "%.1fGB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.1fMB", (double)b / (1ull << 20));
	else if (b != 0 && b % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 "KB", b >> 10);
	else if (b >= 1024)
		snprintf(buf, len, "%.1fKB", (double)b / 1024);
	else
		snprintf(buf, len, "%" PRIu64 "B", b);
	return buf;
}

char *
cmd_fmt_option(const struct wp_option_info *oi, uint64_t v, char *buf,
	       size_t len)
{
	switch (oi->unit) {
	case WP_UNIT_MS:
		if (v == 0 && oi->opt == WP_OPT_TASK_TIMEOUT_MS)
			snprintf(buf, len, "off");
		else
			cmd_fmt_ms(v, buf, len);
		break;
	case WP_UNIT_BYTES:
		cmd_fmt_bytes(v, buf, len);
		break;
	case WP_UNIT_BOOL:
		snprintf(buf, len, "%s", v ? "on" : "off");
		break;
	case WP_UNIT_PERMILLE:
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%%", v / 10,
			 v % 10);
		break;
	case WP_UNIT_US:
		if (v == 0)
			snprintf(buf, len, "off");
		else if (v % 1000 == 0)
			cmd_fmt_ms(v / 1000, buf, len);
		else
			snprintf(buf, len, "%" PRIu64 "us", v);
		break;
	default:
		snprintf(buf, len, "%" PRIu64, v);
	}
	return buf;
}

int
cmd_parse_option(const struct wp_option_info *oi, const char *s,
		 uint64_t *out, char *err, size_t errlen)
{
	bool b;

	switch (oi->unit) {
	case WP_UNIT_MS:
		return cmd_parse_duration(s, true, out, err, errlen);
	case WP_UNIT_BYTES:
		return cmd_parse_size(s, out, err, errlen);
	case WP_UNIT_BOOL:
		if (cmd_parse_bool(s, &b, err, errlen) != 0)
			return -1;
		*out = b;
		return 0;
	case WP_UNIT_PERMILLE:
		return cmd_parse_permille(s, out, err, errlen);
	case WP_UNIT_US:
		return cmd_parse_duration_us(s, out, err, errlen);
	default:
		return cmd_parse_u64(s, UINT64_MAX, out, err, errlen);
	}
}
