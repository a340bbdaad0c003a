/*
 * timeline-svg.c - a stop report drawn as an SVG 1.1 timeline, so a
 * teacher can put a real stop on a slide (`timeline --svg FILE`).
 *
 * The picture, top to bottom: the title and the verdict; one lane per stop
 * phase, with a marker where the stop reached it (hollow when its signal
 * had fired before the stop) and a bar for the time since the previous
 * phase; one lane per thread, a bar from the start of the stop to its exit,
 * or to the end of the axis with "still alive" for a thread the stop left
 * behind; the time axis in ms since the stop began; a legend.  A forced
 * stop's bound is a red line across every lane.
 *
 * Numbers go through fixed() and never through %f: the console runs under
 * the user's locale, and "12,5" is not an SVG length.  Text goes through
 * put_text(), which escapes markup and replaces control bytes and invalid
 * UTF-8 with '?', so any title keeps the document well-formed.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeline-svg.h"

#define SVG_W 1000
#define LABEL_X 16      /* lane labels */
#define CLASS_X 136     /* a thread's class, after its name */
#define PLOT_X0 220     /* time 0 */
#define PLOT_X1 860     /* the end of the axis */
#define LANE_H 17
#define TITLE_MAX 160   /* bytes of the title kept */
#define NUMBUFS 8       /* numbers one fprintf may format */

/* One colour per thread class, in enum wp_thread_class order. */
static const char *const class_fill[] = {
	"#4e79a7", /* worker */
	"#76b7b2", /* watchdog */
	"#59a14f", /* results */
	"#c9a227", /* errors */
	"#b07aa1", /* monitor */
	"#e17c9a", /* health */
	"#9c755f", /* orphan */
};
#define NCLASS (sizeof class_fill / sizeof class_fill[0])

#define RED "#d62728"
#define INK "#222222"
#define GREY "#6b7280"

struct svg {
	FILE *f;
	double t_max;  /* ms at PLOT_X1 */
	char num[NUMBUFS][64];
	unsigned ni;
};

/* v with dec decimals (0-4), whatever the locale.  The buffer is one of
 * NUMBUFS reused in turn. */
static const char *
fixed(struct svg *s, double v, int dec)
{
	static const long long scale[] = {1, 10, 100, 1000, 10000};
	char *buf = s->num[s->ni++ % NUMBUFS];
	const char *sign = "";
	long long n;

	if (dec < 0)
		dec = 0;
	if (dec > 4)
		dec = 4;
	if (!isfinite(v))
		v = 0;
	if (v > 1e12)
		v = 1e12;
	if (v < -1e12)
		v = -1e12;
	n = llround(v * (double)scale[dec]);
	if (n < 0) {
		sign = "-";
		n = -n;
	}
	if (dec == 0)
		snprintf(buf, sizeof s->num[0], "%s%lld", sign, n);
	else
		snprintf(buf, sizeof s->num[0], "%s%lld.%0*lld", sign,
			 n / scale[dec], dec, n % scale[dec]);
	return buf;
}

/* A pixel coordinate (one decimal). */
static const char *
px(struct svg *s, double v)
{
	return fixed(s, v, 1);
}

/* A duration for a label: more decimals for shorter times. */
static const char *
ms_text(struct svg *s, double ms)
{
	char *buf;
	const char *n;

	if (ms < 1)
		n = fixed(s, ms, 3);
	else if (ms < 10)
		n = fixed(s, ms, 2);
	else if (ms < 10000)
		n = fixed(s, ms, 1);
	else
		n = fixed(s, ms, 0);
	buf = s->num[s->ni++ % NUMBUFS];
	snprintf(buf, sizeof s->num[0], "%s ms", n);
	return buf;
}

/* The bound as an operator wrote it: "10 s", "500 ms". */
static const char *
bound_text(struct svg *s, uint64_t ms)
{
	char *buf = s->num[s->ni++ % NUMBUFS];

	if (ms >= 1000 && ms % 1000 == 0)
		snprintf(buf, sizeof s->num[0], "%llu s",
			 (unsigned long long)(ms / 1000));
	else
		snprintf(buf, sizeof s->num[0], "%llu ms",
			 (unsigned long long)ms);
	return buf;
}

static double
xof(const struct svg *s, double ms)
{
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	if (ms > s->t_max)
		ms = s->t_max;
	return PLOT_X0 + (PLOT_X1 - PLOT_X0) * ms / s->t_max;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one
 * (or is a character XML does not allow). */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f) || c == '\t' ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	if (n == 3 && c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0; /* U+FFFE, U+FFFF */
	return n;
}

/* Text content or attribute value, escaped; at most max bytes of it. */
static void
put_text(struct svg *s, const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left = strnlen(text, max), n;

	while (left > 0) {
		switch (*p) {
		case '&':
			fputs("&amp;", s->f);
			break;
		case '<':
			fputs("&lt;", s->f);
			break;
		case '>':
			fputs("&gt;", s->f);
			break;
		case '"':
			fputs("&quot;", s->f);
			break;
		case '\'':
			fputs("&#39;", s->f);
			break;
		default:
			n = utf8_len(p, left);
			if (n == 0) {
				fputc('?', s->f);
				n = 1;
			} else {
				fwrite(p, 1, n, s->f);
			}
			p += n;
			left -= n;
			continue;
		}
		p++;
		left--;
	}
}

/* <text> with escaped content; attrs is trusted markup (may be ""). */
static void
text_at(struct svg *s, double x, double y, const char *attrs,
	const char *text)
{
	fprintf(s->f, "<text x=\"%s\" y=\"%s\"%s%s>", px(s, x), px(s, y),
		attrs[0] ? " " : "", attrs);
	put_text(s, text, 512);
	fputs("</text>\n", s->f);
}

static const char *
class_color(enum wp_thread_class c)
{
	return (unsigned)c < NCLASS ? class_fill[c] : GREY;
}

static bool
phase_reached(const struct wp_stop_report *r, unsigned i)
{
	return isfinite(r->phase_ms[i]) && r->phase_ms[i] >= 0;
}

/* Picks the end of the axis and a round tick step for it. */
static double
scale_axis(struct svg *s, const struct wp_stop_report *r)
{
	double end = 0, raw, mag, step;
	unsigned i;

	if (isfinite(r->total_ms) && r->total_ms > end)
		end = r->total_ms;
	for (i = 0; i < WP_PHASE_COUNT; i++)
		if (phase_reached(r, i) && r->phase_ms[i] > end)
			end = r->phase_ms[i];
	for (i = 0; i < r->nthreads; i++)
		if ((double)r->threads[i].exited_ns / 1e6 > end)
			end = (double)r->threads[i].exited_ns / 1e6;
	if (r->forced && (double)r->bound_ms > end)
		end = (double)r->bound_ms;
	if (end < 0.01)
		end = 0.01;
	end *= 1.1; /* room for "still alive" past the last exit */
	raw = end / 6;
	mag = pow(10, floor(log10(raw)));
	step = raw / mag <= 1 ? mag
	       : raw / mag <= 2 ? 2 * mag
	       : raw / mag <= 5 ? 5 * mag
				: 10 * mag;
	s->t_max = ceil(end / step - 1e-9) * step;
	return step;
}

static void
head(struct svg *s, const struct wp_stop_report *r, const char *title,
     int height)
{
	char when[80] = "";
	time_t t = (time_t)(r->begin_wall_ms / 1000);
	const char *what = r->drained ? "drain" : "stop";
	struct tm tm;

	if (r->begin_wall_ms > 0 && localtime_r(&t, &tm) != NULL)
		snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(r->begin_wall_ms % 1000));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
	      s->f);
	fprintf(s->f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" "
		"font-size=\"12\" fill=\"" INK "\">\n",
		SVG_W, height, SVG_W, height);
	fputs("<title>", s->f);
	put_text(s, title, TITLE_MAX);
	fputs("</title>\n<desc>", s->f);
	fprintf(s->f, "%s %s after %s (bound %s); %u thread%s left behind",
		what, r->forced ? "forced" : "clean", ms_text(s, r->total_ms),
		bound_text(s, r->bound_ms), r->nalive,
		r->nalive == 1 ? "" : "s");
	fputs("</desc>\n", s->f);
	fprintf(s->f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		"fill=\"#ffffff\"/>\n", SVG_W, height);

	fprintf(s->f, "<text x=\"%d\" y=\"28\" font-size=\"18\" "
		"font-weight=\"bold\">", LABEL_X);
	put_text(s, title, TITLE_MAX);
	fputs("</text>\n", s->f);

	fprintf(s->f, "<text x=\"%d\" y=\"48\" font-size=\"13\">", LABEL_X);
	if (r->forced)
		fprintf(s->f, "<tspan fill=\"" RED "\" font-weight=\"bold\">"
			"%s FORCED</tspan> after %s (bound %s): %u thread%s "
			"left behind", what, ms_text(s, r->total_ms),
			bound_text(s, r->bound_ms), r->nalive,
			r->nalive == 1 ? "" : "s");
	else
		fprintf(s->f, "<tspan font-weight=\"bold\">%s clean</tspan> "
			"in %s (bound %s)", what, ms_text(s, r->total_ms),
			bound_text(s, r->bound_ms));
	if (r->cancelled_queued > 0 || r->cancelled_running > 0)
		fprintf(s->f, "; cancelled %llu queued, %llu running",
			(unsigned long long)r->cancelled_queued,
			(unsigned long long)r->cancelled_running);
	if (when[0] != '\0')
		fprintf(s->f, "; began %s", when);
	fputs("</text>\n", s->f);
}

static void
section(struct svg *s, double y, const char *name)
{
	text_at(s, LABEL_X, y, "font-size=\"11\" font-weight=\"bold\" "
		"fill=\"" GREY "\" letter-spacing=\"1\"", name);
}

static void
stripe(struct svg *s, double y, unsigned i)
{
	if (i % 2 == 0)
		fprintf(s->f, "<rect x=\"8\" y=\"%s\" width=\"%d\" "
			"height=\"%d\" fill=\"#f3f4f6\"/>\n",
			px(s, y), SVG_W - 16, LANE_H);
}

static void
grid(struct svg *s, double step, double top, double bottom)
{
	double t;

	fputs("<g id=\"grid\" stroke=\"#e2e5ea\" stroke-width=\"1\">\n",
	      s->f);
	for (t = step; t <= s->t_max + step / 1e6; t += step)
		fprintf(s->f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
			px(s, xof(s, t)), px(s, top), px(s, xof(s, t)),
			px(s, bottom));
	fputs("</g>\n", s->f);
}

static void
phases(struct svg *s, const struct wp_stop_report *r, double top)
{
	double prev = 0, y, x, x0;
	unsigned i;
	char label[112];

	fputs("<g id=\"phases\">\n", s->f);
	for (i = 0; i < WP_PHASE_COUNT; i++) {
		y = top + i * LANE_H;
		stripe(s, y, i);
		text_at(s, LABEL_X, y + 12.5, "",
			wp_stop_phase_name((enum wp_stop_phase)i));
		if (!phase_reached(r, i)) {
			text_at(s, PLOT_X0 + 4, y + 12.5, "fill=\"" GREY "\" "
				"font-style=\"italic\"", "not reached");
			continue;
		}
		x0 = xof(s, prev);
		x = xof(s, r->phase_ms[i]);
		if (x - x0 >= 0.5)
			fprintf(s->f, "<rect x=\"%s\" y=\"%s\" width=\"%s\" "
				"height=\"5\" fill=\"%s\"/>\n",
				px(s, x0), px(s, y + 6),
				px(s, x - x0),
				i == WP_PHASE_WAIT && r->forced ? "#f4a6a6"
								: "#c3c8d0");
		if (r->phase_already[i])
			fprintf(s->f, "<circle cx=\"%s\" cy=\"%s\" r=\"4.5\" "
				"fill=\"#ffffff\" stroke=\"" INK "\" "
				"stroke-width=\"1.5\"/>\n",
				px(s, x), px(s, y + 8.5));
		else
			fprintf(s->f, "<circle cx=\"%s\" cy=\"%s\" r=\"4.5\" "
				"fill=\"" INK "\"/>\n",
				px(s, x), px(s, y + 8.5));
		snprintf(label, sizeof label, "%s%s",
			 ms_text(s, r->phase_ms[i]),
			 r->phase_already[i] ? "  (signal had fired before)"
					     : "");
		text_at(s, x + 8, y + 12.5, "font-size=\"11\"", label);
		prev = r->phase_ms[i];
	}
	fputs("</g>\n", s->f);
}

static void
threads(struct svg *s, const struct wp_stop_report *r, double top)
{
	const struct wp_stop_thread *th;
	double y, x, ms;
	unsigned i;
	char label[96];

	fputs("<g id=\"threads\">\n", s->f);
	if (r->nthreads == 0)
		text_at(s, PLOT_X0 + 4, top + 12.5, "fill=\"" GREY "\" "
			"font-style=\"italic\"", "no threads recorded");
	for (i = 0; i < r->nthreads; i++) {
		th = &r->threads[i];
		y = top + i * LANE_H;
		stripe(s, y, i);
		fputs("<text x=\"", s->f);
		fprintf(s->f, "%d\" y=\"%s\">", LABEL_X, px(s, y + 12.5));
		put_text(s, th->name, WP_NAME_MAX);
		fputs("</text>\n", s->f);
		text_at(s, CLASS_X, y + 12.5, "font-size=\"11\" fill=\"" GREY
			"\"", wp_thread_class_name(th->cls));
		if (th->exited_ns < 0) {
			/* Left behind: to the end of the axis, and on. */
			fprintf(s->f, "<rect x=\"%d\" y=\"%s\" width=\"%d\" "
				"height=\"9\" fill=\"%s\" fill-opacity=\"0.6\""
				" stroke=\"" RED "\" stroke-width=\"1\" "
				"stroke-dasharray=\"4 2\"/>\n",
				PLOT_X0, px(s, y + 4), PLOT_X1 - PLOT_X0,
				class_color(th->cls));
			fprintf(s->f, "<path d=\"M %d %s L %d %s L %d %s Z\" "
				"fill=\"" RED "\"/>\n",
				PLOT_X1, px(s, y + 2), PLOT_X1 + 8,
				px(s, y + 8.5), PLOT_X1, px(s, y + 15));
			text_at(s, PLOT_X1 + 13, y + 12.5, "fill=\"" RED "\" "
				"font-weight=\"bold\"", "still alive");
			continue;
		}
		ms = (double)th->exited_ns / 1e6;
		x = xof(s, ms);
		if (x - PLOT_X0 >= 0.5)
			fprintf(s->f, "<rect x=\"%d\" y=\"%s\" width=\"%s\" "
				"height=\"9\" fill=\"%s\"/>\n",
				PLOT_X0, px(s, y + 4), px(s, x - PLOT_X0),
				class_color(th->cls));
		fprintf(s->f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
			"stroke=\"" INK "\" stroke-width=\"2\"/>\n",
			px(s, x), px(s, y + 2), px(s, x), px(s, y + 15));
		snprintf(label, sizeof label, "exited %s", ms_text(s, ms));
		text_at(s, x + 6, y + 12.5, "font-size=\"11\"", label);
	}
	fputs("</g>\n", s->f);
}

static void
axis(struct svg *s, double step, double y)
{
	double t;
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	fputs("<g id=\"axis\">\n", s->f);
	fprintf(s->f, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" "
		"stroke=\"" INK "\" stroke-width=\"1\"/>\n",
		PLOT_X0, px(s, y), PLOT_X1, px(s, y));
	for (t = 0; t <= s->t_max + step / 1e6; t += step) {
		fprintf(s->f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
			"stroke=\"" INK "\"/>\n",
			px(s, xof(s, t)), px(s, y), px(s, xof(s, t)),
			px(s, y + 5));
		fprintf(s->f, "<text x=\"%s\" y=\"%s\" font-size=\"11\" "
			"text-anchor=\"middle\">%s</text>\n",
			px(s, xof(s, t)), px(s, y + 18), fixed(s, t, dec));
	}
	fprintf(s->f, "<text x=\"%d\" y=\"%s\" font-size=\"12\" "
		"text-anchor=\"middle\" fill=\"" GREY "\">ms since the stop "
		"began</text>\n",
		(PLOT_X0 + PLOT_X1) / 2, px(s, y + 34));
	fputs("</g>\n", s->f);
}

static void
bound_line(struct svg *s, const struct wp_stop_report *r, double top,
	   double bottom)
{
	double x;
	char label[96];

	if ((double)r->bound_ms > s->t_max)
		return; /* a clean stop far inside its bound: said in words */
	x = xof(s, (double)r->bound_ms);
	snprintf(label, sizeof label, "bound %s%s",
		 bound_text(s, r->bound_ms), r->forced ? ": forced" : "");
	fprintf(s->f, "<g id=\"bound\">\n<line x1=\"%s\" y1=\"%s\" x2=\"%s\" "
		"y2=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
		px(s, x), px(s, top - 4), px(s, x), px(s, bottom),
		r->forced ? RED : GREY, r->forced ? "2" : "1",
		r->forced ? "" : " stroke-dasharray=\"5 3\"");
	text_at(s, x, top - 8, r->forced
		? "text-anchor=\"middle\" font-weight=\"bold\" fill=\"" RED "\""
		: "text-anchor=\"middle\" fill=\"" GREY "\"", label);
	fputs("</g>\n", s->f);
}

/* One legend entry at (*x, *y); wraps to a new row when the line is full.
 * kind: 'r' swatch of colour, 'c' filled circle, 'o' hollow circle,
 * 'a' alive arrow, 'l' red line. */
static void
legend_item(struct svg *s, double *x, double *y, char kind,
	    const char *color, const char *label)
{
	double w = 26 + 6.8 * (double)strlen(label) + 18;

	if (*x + w > SVG_W - LABEL_X) {
		*x = LABEL_X;
		*y += 18;
	}
	switch (kind) {
	case 'r':
		fprintf(s->f, "<rect x=\"%s\" y=\"%s\" width=\"18\" "
			"height=\"9\" fill=\"%s\"/>\n",
			px(s, *x), px(s, *y - 8), color);
		break;
	case 'c':
	case 'o':
		fprintf(s->f, "<circle cx=\"%s\" cy=\"%s\" r=\"4.5\" "
			"fill=\"%s\" stroke=\"" INK "\" stroke-width=\"1.5\"/>\n",
			px(s, *x + 9), px(s, *y - 3.5),
			kind == 'c' ? INK : "#ffffff");
		break;
	case 'a':
		fprintf(s->f, "<path d=\"M %s %s L %s %s L %s %s Z\" "
			"fill=\"" RED "\"/>\n",
			px(s, *x + 5), px(s, *y - 10), px(s, *x + 13),
			px(s, *y - 3.5), px(s, *x + 5), px(s, *y + 3));
		break;
	default:
		fprintf(s->f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
			"stroke=\"" RED "\" stroke-width=\"2\"/>\n",
			px(s, *x + 9), px(s, *y - 11), px(s, *x + 9),
			px(s, *y + 3));
		break;
	}
	text_at(s, *x + 24, *y, "font-size=\"11\"", label);
	*x += w;
}

static void
legend(struct svg *s, const struct wp_stop_report *r, double y)
{
	bool seen[NCLASS] = {false}, already = false;
	double x = LABEL_X;
	unsigned i;

	for (i = 0; i < r->nthreads; i++)
		if ((unsigned)r->threads[i].cls < NCLASS)
			seen[r->threads[i].cls] = true;
	for (i = 0; i < WP_PHASE_COUNT; i++)
		if (phase_reached(r, i) && r->phase_already[i])
			already = true;
	fputs("<g id=\"legend\">\n", s->f);
	legend_item(s, &x, &y, 'c', NULL, "phase reached");
	if (already)
		legend_item(s, &x, &y, 'o', NULL, "signal had fired before");
	for (i = 0; i < NCLASS; i++)
		if (seen[i])
			legend_item(s, &x, &y, 'r', class_fill[i],
				    wp_thread_class_name(
					    (enum wp_thread_class)i));
	if (r->nalive > 0)
		legend_item(s, &x, &y, 'a', NULL, "still alive (left behind)");
	if (r->forced)
		legend_item(s, &x, &y, 'l', NULL, "bound (stop forced)");
	fputs("</g>\n", s->f);
}

int
cmd_timeline_svg(const struct wp_stop_report *r, FILE *out,
		 const char *title)
{
	struct svg s = {.f = out};
	double step, phases_top, threads_top, axis_y, bottom;
	unsigned lanes;
	int height;

	if (r == NULL || out == NULL || (r->nthreads > 0 && r->threads == NULL))
		return WP_EINVAL;
	if (title == NULL || title[0] == '\0')
		title = "wpool stop timeline";
	step = scale_axis(&s, r);
	lanes = r->nthreads > 0 ? r->nthreads : 1;
	phases_top = 92;
	threads_top = phases_top + WP_PHASE_COUNT * LANE_H + 26;
	bottom = threads_top + lanes * LANE_H;
	axis_y = bottom + 6;
	height = (int)(axis_y + 36 + 12 + 18 * 2 + 6);

	head(&s, r, title, height);
	section(&s, phases_top - 8, "STOP PHASES");
	section(&s, threads_top - 8, "THREADS");
	grid(&s, step, phases_top, axis_y);
	phases(&s, r, phases_top);
	threads(&s, r, threads_top);
	axis(&s, step, axis_y);
	bound_line(&s, r, phases_top, axis_y);
	legend(&s, r, axis_y + 36 + 20);
	fputs("</svg>\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		if (errno == 0)
			errno = EIO;
		return WP_ESYS;
	}
	return 0;
}
