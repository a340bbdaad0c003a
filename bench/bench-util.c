/*
 * bench-util.c - shared helpers of the wpool-only benchmark programs.
 *
 * The no-op batch mirrors the peer harness's noop workload (one submitting
 * thread, an atomic counter, a semaphore posted by the task that completes
 * the batch) so that a ratio measured here means the same as one measured
 * there.
 */
#include "bench-util.h"

#include <dirent.h>
#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int64_t
bu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bu_sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bu_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_d);
	i = (size_t)(q * (double)n);
	return v[i < n ? i : n - 1];
}

double
bu_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
bu_min(const double *v, size_t n)
{
	double m = n ? v[0] : 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double
bu_max(const double *v, size_t n)
{
	double m = n ? v[0] : 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static void
usage(const char *prog, const struct bu_opt *opts)
{
	fprintf(stderr, "usage: %s", prog);
	for (const struct bu_opt *o = opts; o->name; o++)
		fprintf(stderr, " [--%s N]", o->name);
	fprintf(stderr, "\n");
	for (const struct bu_opt *o = opts; o->name; o++)
		fprintf(stderr, "  --%-12s %s (default %ld)\n", o->name,
			o->help, *o->value);
	exit(2);
}

void
bu_parse(int argc, char **argv, const char *prog, struct bu_opt *opts)
{
	for (int i = 1; i < argc; i += 2) {
		struct bu_opt *o;

		if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
			usage(prog, opts);
		for (o = opts; o->name; o++)
			if (strcmp(argv[i] + 2, o->name) == 0)
				break;
		if (!o->name)
			usage(prog, opts);
		*o->value = atol(argv[i + 1]);
	}
}

void
bu_check(int rc, const char *what)
{
	if (rc == 0)
		return;
	fprintf(stderr, "bench: %s: %s (%s)\n", what, wp_strerror(rc),
		wp_err_name(rc));
	exit(1);
}

int
bu_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

void
bu_ctxsw(uint64_t *vol, uint64_t *invol)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*vol = (uint64_t)ru.ru_nvcsw;
	*invol = (uint64_t)ru.ru_nivcsw;
}

int64_t
bu_thread_cpu_ns(const char *comm)
{
	char path[288], name[64];
	struct dirent *d;
	int64_t sum = 0;
	DIR *dir = opendir("/proc/self/task");

	if (!dir)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		long long run = 0;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm",
			 d->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (!fgets(name, sizeof name, f))
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, comm) != 0)
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/schedstat",
			 d->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fscanf(f, "%lld", &run) == 1)
			sum += run;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

static _Atomic uint64_t delivered;

static void
count_result(void *udata, const struct wp_result *r)
{
	(void)udata;
	(void)r;
	atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
}

uint64_t
bu_delivered(void)
{
	return atomic_load(&delivered);
}

void
bu_config(struct wp_config *cfg, unsigned workers, unsigned qcap)
{
	wp_config_init(cfg);
	cfg->workers = workers;
	cfg->task_queue_cap = qcap;
	cfg->on_result = count_result;
}

wp_pool *
bu_pool(const struct wp_config *cfg)
{
	wp_pool *pool;

	bu_check(wp_pool_create(cfg, &pool), "wp_pool_create");
	bu_check(wp_pool_start(pool), "wp_pool_start");
	return pool;
}

struct batch {
	_Atomic long done;
	long target;
	sem_t latch;
};

static int
noop_task(wp_ctx *ctx, void *arg)
{
	struct batch *b = arg;

	(void)ctx;
	if (atomic_fetch_add_explicit(&b->done, 1, memory_order_acq_rel) + 1 ==
	    b->target)
		sem_post(&b->latch);
	return 0;
}

static void
run_batch(wp_pool *pool, struct batch *b, long n,
	  const struct wp_task_opts *opts)
{
	int rc;

	atomic_store(&b->done, 0);
	b->target = n;
	for (long i = 0; i < n; i++) {
		while ((rc = wp_submit_wait(pool, noop_task, b, opts, 60000,
					    NULL)) == WP_ETIMEDOUT)
			;
		bu_check(rc, "wp_submit_wait");
	}
	while (sem_wait(&b->latch) != 0 && errno == EINTR)
		;
}

double
bu_noop_run(const struct wp_config *cfg, long n,
	    const struct wp_task_opts *opts, struct bu_run *out)
{
	struct batch b;
	long warm = n / 100 < 10000 ? n / 100 : 10000;
	uint64_t v0, i0, v1, i1;
	wp_pool *pool = bu_pool(cfg);
	int64_t t0, m0, m1;
	double s;

	sem_init(&b.latch, 0, 0);
	if (warm > 0)
		run_batch(pool, &b, warm, opts);
	m0 = bu_thread_cpu_ns("wp-monitor");
	bu_ctxsw(&v0, &i0);
	t0 = bu_now();
	run_batch(pool, &b, n, opts);
	s = (double)(bu_now() - t0) / 1e9;
	bu_ctxsw(&v1, &i1);
	m1 = bu_thread_cpu_ns("wp-monitor");
	if (out) {
		out->tps = (double)n / s;
		out->secs = s;
		out->vol = v1 - v0;
		out->invol = i1 - i0;
		out->monitor_cpu_ns = m1 - m0;
	}
	bu_check(wp_pool_destroy(pool), "wp_pool_destroy");
	sem_destroy(&b.latch);
	return (double)n / s;
}
