/*
 * bench-util.h - what the wpool-only benchmark programs share: clocks,
 * statistics, a tiny option parser, pool set-up, and a no-op batch run the
 * way the peer harness runs it (so figures compare).
 *
 * Each program prints exactly one `key=value` line on stdout; progress and
 * errors go to stderr.  Benchmarks are not tests: nothing here asserts that
 * something was fast.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpool.h"

/* CLOCK_MONOTONIC in nanoseconds (the clock wpool uses). */
int64_t bu_now(void);
void bu_sleep_us(long us);

/* Sorts v in place; q in [0, 1], nearest rank. */
double bu_quantile(double *v, size_t n, double q);
double bu_median(double *v, size_t n);
double bu_min(const double *v, size_t n);
double bu_max(const double *v, size_t n);

/* --key value options; unknown keys and missing values exit with usage. */
struct bu_opt {
	const char *name; /* without the leading "--" */
	long *value;
	const char *help;
};
void bu_parse(int argc, char **argv, const char *prog, struct bu_opt *opts);

/* Exits with a message naming what failed. */
void bu_check(int rc, const char *what);

/* Threads in this process (from /proc/self/status), -1 if unreadable. */
int bu_threads(void);
/* Voluntary and involuntary context switches of every thread of this
 * process so far (getrusage RUSAGE_SELF). */
void bu_ctxsw(uint64_t *vol, uint64_t *invol);

/* A config with wpool's defaults, W workers, the given task queue bound,
 * and a result handler that only counts (what the peer adapter uses). */
void bu_config(struct wp_config *cfg, unsigned workers, unsigned qcap);
/* Creates and starts; exits on failure. */
wp_pool *bu_pool(const struct wp_config *cfg);
/* Results counted by the handler bu_config installs. */
uint64_t bu_delivered(void);

/* CPU time (ns, /proc/self/task/N/schedstat) used so far by this
 * process's threads named comm ("wp-monitor"); 0 if none. */
int64_t bu_thread_cpu_ns(const char *comm);

/* What one no-op batch measured (the timed part only). */
struct bu_run {
	double tps;
	double secs;
	uint64_t vol, invol;	/* context switches, whole process */
	int64_t monitor_cpu_ns; /* CPU time of the wp-monitor thread */
};

/* The peer harness's noop workload on a fresh pool: a warm-up of
 * min(n/100, 10000) tasks, then n tasks that increment a counter, timed
 * from the first submit until the last one has run.  opts (may be NULL)
 * applies to every task.  Returns tasks per second; fills *out if not
 * NULL. */
double bu_noop_run(const struct wp_config *cfg, long n,
		   const struct wp_task_opts *opts, struct bu_run *out);

#endif /* BENCH_UTIL_H */
