/*
 * hiccups.c - how often, and for how long, this machine stops a thread
 * that never blocks (no pool involved).
 *
 * On a VM the host takes CPU time from a busy virtual CPU; no program in
 * the guest can see it coming or do anything while it lasts.  A spinning
 * worker is such a thread, so these stops bound how short the tail of
 * submit-to-start latency can be (target 4's p99) and how much of each
 * CPU a pool of busy workers really has (target 3).  One thread per CPU
 * this process may use, each pinned to its CPU, reads CLOCK_MONOTONIC in
 * a loop for --ms; a gap of --threshold-us or more between two reads is a
 * stop.
 *
 *   bench-hiccups [--ms 1000] [--threshold-us 10]
 *
 * Prints: bench=hiccups cpus= ms= stops_per_s= (per CPU) lost_pct= (of
 *         each CPU's time, mean) stop_p50_us= stop_p99_us= stop_max_us=
 *         period_us= (median time from one stop to the next on a CPU)
 *         together_pct= (stops on the first CPU that overlap a stop on
 *         another: the host stopping every CPU at once)
 */
#include "bench-util.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_STOPS 20000

struct cpu {
	int id;
	pthread_t tid;
	int64_t until, threshold;
	int64_t *at, *len; /* start and length of each stop, ns */
	size_t n;
};

static void *
watch(void *arg)
{
	struct cpu *c = arg;
	cpu_set_t one;
	int64_t prev, t;

	CPU_ZERO(&one);
	CPU_SET(c->id, &one);
	pthread_setaffinity_np(pthread_self(), sizeof one, &one);
	prev = bu_now();
	while (prev < c->until) {
		t = bu_now();
		if (t - prev >= c->threshold && c->n < MAX_STOPS) {
			c->at[c->n] = prev;
			c->len[c->n++] = t - prev;
		}
		prev = t;
	}
	return NULL;
}

/* Does [a, a + la) overlap a stop of c? */
static bool
overlaps(const struct cpu *c, int64_t a, int64_t la)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->at[i] < a + la && a < c->at[i] + c->len[i])
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	long ms = 1000, threshold_us = 10;
	struct bu_opt opts[] = {
	    {"ms", &ms, "how long each CPU is watched"},
	    {"threshold-us", &threshold_us, "shortest gap counted as a stop"},
	    {NULL, NULL, NULL},
	};
	cpu_set_t mask;
	struct cpu *cpus;
	double *lens, *gaps, lost = 0;
	size_t nl = 0, ng = 0, first = 0, together = 0;
	int ncpu = 0, i;
	int64_t start;

	bu_parse(argc, argv, "bench-hiccups", opts);
	if (ms < 1 || threshold_us < 1 ||
	    sched_getaffinity(0, sizeof mask, &mask) != 0)
		return 1;
	cpus = calloc(CPU_SETSIZE, sizeof *cpus);
	if (!cpus)
		return 1;
	start = bu_now() + 20 * 1000000LL; /* all threads running first */
	for (i = 0; i < CPU_SETSIZE; i++) {
		struct cpu *c = &cpus[ncpu];

		if (!CPU_ISSET(i, &mask))
			continue;
		c->id = i;
		c->until = start + ms * 1000000LL;
		c->threshold = threshold_us * 1000;
		c->at = calloc(MAX_STOPS, sizeof *c->at);
		c->len = calloc(MAX_STOPS, sizeof *c->len);
		if (!c->at || !c->len ||
		    pthread_create(&c->tid, NULL, watch, c) != 0)
			return 1;
		ncpu++;
	}
	for (i = 0; i < ncpu; i++)
		pthread_join(cpus[i].tid, NULL);

	lens = calloc((size_t)ncpu * MAX_STOPS, sizeof *lens);
	gaps = calloc((size_t)ncpu * MAX_STOPS, sizeof *gaps);
	if (!lens || !gaps)
		return 1;
	for (i = 0; i < ncpu; i++) {
		struct cpu *c = &cpus[i];

		for (size_t k = 0; k < c->n; k++) {
			if (c->at[k] < start)
				continue; /* before every thread ran */
			lens[nl++] = (double)c->len[k] / 1e3;
			lost += (double)c->len[k];
			if (k > 0 && c->at[k - 1] >= start)
				gaps[ng++] = (double)(c->at[k] - c->at[k - 1]) /
					     1e3;
		}
	}
	for (size_t k = 0; k < cpus[0].n; k++) {
		if (cpus[0].at[k] < start)
			continue;
		first++;
		for (i = 1; i < ncpu; i++)
			if (overlaps(&cpus[i], cpus[0].at[k], cpus[0].len[k])) {
				together++;
				break;
			}
	}
	printf("bench=hiccups cpus=%d ms=%ld stops_per_s=%.0f lost_pct=%.2f "
	       "stop_p50_us=%.1f stop_p99_us=%.1f stop_max_us=%.1f "
	       "period_us=%.0f together_pct=%.0f\n",
	       ncpu, ms, (double)nl / ncpu / ((double)ms / 1e3),
	       lost / ncpu / ((double)ms * 1e6) * 100,
	       nl ? bu_quantile(lens, nl, 0.5) : 0,
	       nl ? bu_quantile(lens, nl, 0.99) : 0,
	       nl ? bu_max(lens, nl) : 0, ng ? bu_median(gaps, ng) : 0,
	       first && ncpu > 1 ? (double)together / (double)first * 100
				 : 0);
	return 0;
}
