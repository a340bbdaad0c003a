/*
 * test-timeline-svg.c - commands/timeline-svg.c: a stop report as SVG.
 *
 * Fixed reports (clean, forced, phases not reached, hostile text) and two
 * real stops of a real pool.  Every document must be well-formed (a small
 * checker below: one root, balanced tags, quoted attributes, only the five
 * entities) and name every phase and every thread.
 *
 * WP_SVG_DIR=DIR keeps the real stops' pictures (DIR/clean.svg,
 * DIR/forced.svg) for a look.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "timeline-svg.h"

/* ---- a small well-formedness check ---- */

static const char *
skip_name(const char *p)
{
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
	       *p == ':' || *p == '.')
		p++;
	return p;
}

/* 0 if text is a valid entity reference at '&'; its length in *n. */
static int
entity(const char *p, size_t *n)
{
	static const char *const ok[] = {"&amp;", "&lt;", "&gt;", "&quot;",
					 "&#39;", NULL};

	for (int i = 0; ok[i] != NULL; i++)
		if (strncmp(p, ok[i], strlen(ok[i])) == 0) {
			*n = strlen(ok[i]);
			return 0;
		}
	return -1;
}

/* NULL if doc is well-formed with root <svg>, else what is wrong. */
static const char *
xml_problem(const char *doc)
{
	static char why[256];
	char stack[64][32];
	int depth = 0, roots = 0;
	const char *p = doc, *q;
	size_t n;

	if (strncmp(p, "<?xml ", 6) != 0)
		return "no XML declaration";
	p = strstr(p, "?>");
	if (p == NULL)
		return "declaration not closed";
	p += 2;
	while (*p != '\0') {
		if (*p == '&') {
			if (entity(p, &n) != 0 || depth == 0)
				return "bad '&' in text";
			p += n;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && *p != '\n' && *p != ' ')
				return "text outside the root";
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			q = strstr(p, "-->");
			if (q == NULL)
				return "comment not closed";
			p = q + 3;
			continue;
		}
		if (p[1] == '/') {
			q = skip_name(p + 2);
			if (depth == 0)
				return "close tag without open tag";
			depth--;
			if ((size_t)(q - (p + 2)) != strlen(stack[depth]) ||
			    strncmp(p + 2, stack[depth], (size_t)(q - p - 2)))
			{
				snprintf(why, sizeof why, "</%.*s> closes <%.31s>",
					 (int)(q - p - 2), p + 2, stack[depth]);
				return why;
			}
			if (*q != '>')
				return "junk in a close tag";
			p = q + 1;
			continue;
		}
		q = skip_name(p + 1);
		if (q == p + 1)
			return "'<' without a name";
		if (depth == 0 && roots++ > 0)
			return "more than one root";
		if (depth == 0 && strncmp(p + 1, "svg", 3) != 0)
			return "root is not <svg>";
		if (depth >= 64 || (size_t)(q - p - 1) >= sizeof stack[0])
			return "too deep";
		memcpy(stack[depth], p + 1, (size_t)(q - p - 1));
		stack[depth][q - p - 1] = '\0';
		p = q;
		for (;;) { /* attributes */
			while (*p == ' ' || *p == '\n')
				p++;
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			q = skip_name(p);
			if (q == p || q[0] != '=' || q[1] != '"')
				return "bad attribute";
			p = q + 2;
			while (*p != '"') {
				if (*p == '\0' || *p == '<')
					return "bad attribute value";
				if (*p == '&') {
					if (entity(p, &n) != 0)
						return "bad '&' in attribute";
					p += n;
					continue;
				}
				p++;
			}
			p++;
		}
		if (*p == '>') {
			depth++;
			p++;
		} else {
			p += 2; /* self-closing */
		}
	}
	if (depth != 0) {
		snprintf(why, sizeof why, "<%.31s> never closed",
			 stack[depth - 1]);
		return why;
	}
	return roots == 1 ? NULL : "no root";
}

/* ---- helpers ---- */

static char *
render(const struct wp_stop_report *r, const char *title)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cmd_timeline_svg(r, f, title), 0);
	fclose(f);
	return buf;
}

static void
assert_contains(const char *doc, const char *what)
{
	if (strstr(doc, what) == NULL)
		fail_msg("the SVG lacks '%s'", what);
}

static void
assert_well_formed(const char *doc)
{
	const char *why = xml_problem(doc);

	if (why != NULL)
		fail_msg("the SVG is not well-formed: %s", why);
}

/* Every phase name, and every thread name with its lane. */
static void
assert_names(const char *doc, const struct wp_stop_report *r)
{
	char want[64];

	for (int i = 0; i < WP_PHASE_COUNT; i++) {
		snprintf(want, sizeof want, ">%s</text>",
			 wp_stop_phase_name((enum wp_stop_phase)i));
		assert_contains(doc, want);
	}
	for (unsigned i = 0; i < r->nthreads; i++) {
		snprintf(want, sizeof want, ">%s</text>", r->threads[i].name);
		assert_contains(doc, want);
	}
}

static unsigned
count(const char *doc, const char *what)
{
	unsigned n = 0;

	for (const char *p = doc; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static const struct wp_stop_thread clean_threads[] = {
	{"wp-worker-1", WP_THREAD_WORKER, 200000},
	{"wp-monitor", WP_THREAD_MONITOR, 210000},
	{"wp-health", WP_THREAD_HEALTH, 950000},
	{"wp-worker-0", WP_THREAD_WORKER, 1000000},
	{"wp-watchdog", WP_THREAD_WATCHDOG, 1010000},
	{"wp-results", WP_THREAD_RESULTS, 1100000},
	{"wp-errors", WP_THREAD_ERRORS, 1120000},
};

static void
clean_report(struct wp_stop_report *r)
{
	static const double ms[WP_PHASE_COUNT] = {0.003, 0.05, 0.054, 0.06,
						  0.078, 1.1, 1.12, 1.15,
						  1.2};

	memset(r, 0, sizeof *r);
	r->begin_wall_ms = 1764188000123;
	memcpy(r->phase_ms, ms, sizeof ms);
	r->total_ms = 1.2;
	r->bound_ms = 10000;
	r->cancelled_queued = 4;
	r->nthreads = 7;
	r->threads = clean_threads;
}

static const struct wp_stop_thread forced_threads[] = {
	{"wp-monitor", WP_THREAD_MONITOR, 100000},
	{"wp-health", WP_THREAD_HEALTH, 200000},
	{"wp-watchdog", WP_THREAD_WATCHDOG, 500300000},
	{"wp-errors", WP_THREAD_ERRORS, 500310000},
	{"wp-results", WP_THREAD_RESULTS, 500320000},
	{"wp-orphan-1", WP_THREAD_ORPHAN, -1},
	{"wp-orphan-0", WP_THREAD_ORPHAN, -1},
};

static void
forced_report(struct wp_stop_report *r)
{
	static const double ms[WP_PHASE_COUNT] = {0, 0.01, 0.02, 0.03, 0.04,
						  500.2, 500.3, 500.33,
						  500.4};

	memset(r, 0, sizeof *r);
	r->begin_wall_ms = 1764188000123;
	memcpy(r->phase_ms, ms, sizeof ms);
	r->phase_already[WP_PHASE_CLOSED] = true;
	r->phase_already[WP_PHASE_SHUTDOWN] = true;
	r->total_ms = 500.4;
	r->forced = true;
	r->bound_ms = 500;
	r->cancelled_running = 2;
	r->nthreads = 7;
	r->threads = forced_threads;
	r->nalive = 2;
}

/* ---- fixed reports ---- */

static void
test_clean(void **state)
{
	struct wp_stop_report r;
	char *doc;

	(void)state;
	clean_report(&r);
	doc = render(&r, "a clean stop");
	assert_well_formed(doc);
	assert_names(doc, &r);
	assert_contains(doc, "version=\"1.1\"");
	assert_contains(doc, "xmlns=\"http://www.w3.org/2000/svg\"");
	assert_contains(doc, "width=\"1000\"");
	assert_contains(doc, ">a clean stop</text>");
	assert_contains(doc, "stop clean</tspan> in 1.20 ms (bound 10 s)");
	assert_contains(doc, "cancelled 4 queued, 0 running");
	assert_contains(doc, "exited 1.12 ms");
	assert_contains(doc, "ms since the stop began");
	/* No forced bound, nothing left alive. */
	assert_null(strstr(doc, "FORCED"));
	assert_null(strstr(doc, "id=\"bound\""));
	assert_null(strstr(doc, "still alive"));
	/* One lane per phase and thread: a marker per phase reached. */
	assert_int_equal(count(doc, "<circle"), WP_PHASE_COUNT + 1);
	free(doc);
}

static void
test_forced(void **state)
{
	struct wp_stop_report r;
	char *doc;

	(void)state;
	forced_report(&r);
	doc = render(&r, NULL);
	assert_well_formed(doc);
	assert_names(doc, &r);
	assert_contains(doc, ">wpool stop timeline</text>");
	assert_contains(doc, "stop FORCED</tspan> after 500.4 ms (bound 500 "
			     "ms): 2 threads left behind");
	/* The bound is a red line with its label. */
	assert_contains(doc, "<g id=\"bound\">\n<line");
	assert_contains(doc, "stroke=\"#d62728\" stroke-width=\"2\"/>");
	assert_contains(doc, ">bound 500 ms: forced</text>");
	/* Each thread left behind runs to the end and says so. */
	assert_int_equal(count(doc, ">still alive</text>"), 2);
	assert_contains(doc, "still alive (left behind)");
	assert_contains(doc, "(signal had fired before)");
	free(doc);
}

static void
test_not_reached(void **state)
{
	struct wp_stop_report r;
	char *doc;

	(void)state;
	clean_report(&r);
	for (int i = WP_PHASE_CLOSE_QUEUES; i < WP_PHASE_COUNT; i++)
		r.phase_ms[i] = -1;
	r.nthreads = 0;
	r.threads = NULL;
	doc = render(&r, "cut short");
	assert_well_formed(doc);
	assert_names(doc, &r);
	assert_int_equal(count(doc, ">not reached</text>"), 3);
	assert_contains(doc, "no threads recorded");
	free(doc);
}

static void
test_zero_length(void **state)
{
	struct wp_stop_report r;
	struct wp_stop_thread t = {"wp-worker-0", WP_THREAD_WORKER, 0};
	char *doc;

	(void)state;
	memset(&r, 0, sizeof r);
	r.nthreads = 1;
	r.threads = &t;
	doc = render(&r, "instant");
	assert_well_formed(doc);
	assert_names(doc, &r);
	assert_null(strstr(doc, "nan"));
	assert_null(strstr(doc, "inf"));
	free(doc);
}

static void
test_escaping(void **state)
{
	struct wp_stop_report r;
	struct wp_stop_thread t[2] = {
		{"<w>&\"'", WP_THREAD_WORKER, 1000},
		{"bad\xff\x01", (enum wp_thread_class)99, -1},
	};
	char *doc;

	(void)state;
	clean_report(&r);
	r.threads = t;
	r.nthreads = 2;
	r.nalive = 1;
	doc = render(&r, "</text><script>x</script> & \"q\" \xc3\xa9 \xe2\x80");
	assert_well_formed(doc);
	assert_contains(doc, "&lt;/text&gt;&lt;script&gt;x&lt;/script&gt; "
			     "&amp; &quot;q&quot; \xc3\xa9 ??");
	assert_contains(doc, ">&lt;w&gt;&amp;&quot;&#39;</text>");
	assert_contains(doc, ">bad?\?</text>");
	assert_null(strstr(doc, "<script"));
	free(doc);
}

static void
test_locale(void **state)
{
	static const char *const comma[] = {"de_DE.UTF-8", "de_DE.utf8",
					    "fr_FR.UTF-8", "fr_FR.utf8", NULL};
	struct wp_stop_report r;
	char *a, *b;
	int i;

	(void)state;
	forced_report(&r);
	a = render(&r, "locale");
	for (i = 0; comma[i] != NULL; i++)
		if (setlocale(LC_NUMERIC, comma[i]) != NULL)
			break;
	if (comma[i] == NULL) {
		free(a);
		skip(); /* no locale with a decimal comma installed */
	}
	b = render(&r, "locale");
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_errors(void **state)
{
	struct wp_stop_report r;
	FILE *f;

	(void)state;
	clean_report(&r);
	assert_int_equal(cmd_timeline_svg(NULL, stdout, "x"), WP_EINVAL);
	assert_int_equal(cmd_timeline_svg(&r, NULL, "x"), WP_EINVAL);
	r.threads = NULL;
	assert_int_equal(cmd_timeline_svg(&r, stdout, "x"), WP_EINVAL);
	clean_report(&r);
	f = fopen("/dev/full", "w");
	if (f == NULL)
		skip();
	assert_int_equal(cmd_timeline_svg(&r, f, "x"), WP_ESYS);
	fclose(f);
}

/* ---- real stops ---- */

static atomic_int release, returned;

static int
stubborn(wp_ctx *ctx, void *arg)
{
	struct timespec ts = {0, 2000000};

	(void)ctx;
	(void)arg;
	while (!atomic_load(&release))
		nanosleep(&ts, NULL); /* ignores its context on purpose */
	atomic_fetch_add(&returned, 1);
	return 0;
}

static int
quick(wp_ctx *ctx, void *arg)
{
	(void)arg;
	return wp_ctx_sleep(ctx, 1);
}

static void
keep(const char *doc, const char *name)
{
	const char *dir = getenv("WP_SVG_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL || dir[0] == '\0')
		return;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(doc, f);
		fclose(f);
	}
}

static void
test_real_clean(void **state)
{
	const struct wp_stop_report *r = NULL;
	struct wp_config cfg;
	wp_pool *pool;
	char *doc;

	(void)state;
	wp_config_init(&cfg);
	cfg.workers = 2;
	assert_int_equal(wp_pool_create(&cfg, &pool), 0);
	assert_int_equal(wp_pool_start(pool), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(wp_submit_wait(pool, quick, NULL, NULL, 20000,
						 NULL),
				 0);
	assert_int_equal(wp_pool_stop(pool, &r), 0);
	assert_non_null(r);
	doc = render(r, "a real clean stop");
	assert_well_formed(doc);
	assert_names(doc, r);
	assert_contains(doc, "stop clean</tspan>");
	assert_null(strstr(doc, "still alive"));
	keep(doc, "clean.svg");
	free(doc);
	assert_int_equal(wp_pool_destroy(pool), 0);
}

static void
test_real_forced(void **state)
{
	const struct wp_stop_report *r = NULL;
	struct wp_config cfg;
	struct wp_metrics m;
	wp_pool *pool;
	char *doc;

	(void)state;
	wp_config_init(&cfg);
	cfg.workers = 2;
	cfg.stop_timeout_ms = 200;
	assert_int_equal(wp_pool_create(&cfg, &pool), 0);
	assert_int_equal(wp_pool_start(pool), 0);
	assert_int_equal(wp_submit(pool, stubborn, NULL, NULL, NULL), 0);
	for (int i = 0; i < 20000; i++) { /* until it runs */
		assert_int_equal(wp_pool_metrics(pool, &m), 0);
		if (m.workers_busy == 1)
			break;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	assert_int_equal(m.workers_busy, 1);
	assert_int_equal(wp_pool_stop(pool, &r), WP_EFORCED);
	assert_non_null(r);
	assert_true(r->nalive >= 1);
	doc = render(r, "a real forced stop");
	assert_well_formed(doc);
	assert_names(doc, r);
	assert_contains(doc, "stop FORCED</tspan>");
	assert_contains(doc, ">still alive</text>");
	assert_contains(doc, "<g id=\"bound\">");
	keep(doc, "forced.svg");
	free(doc);
	/* Let the stubborn task go before the pool is destroyed. */
	atomic_store(&release, 1);
	while (atomic_load(&returned) == 0)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	assert_int_equal(wp_pool_destroy(pool), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_forced),
		cmocka_unit_test(test_not_reached),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_locale),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_real_clean),
		cmocka_unit_test(test_real_forced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
