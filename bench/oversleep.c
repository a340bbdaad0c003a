/*
 * oversleep.c - how late this machine wakes a thread that sleeps until a
 * given time (no pool involved).
 *
 * A timed-out task's outcome is given by the watchdog, which sleeps until
 * the earliest deadline; with the tasks asleep too, the CPUs are idle.  On
 * a VM an idle virtual CPU is not running on the host, and a timer that
 * fires there waits until the host runs it again: that wait is the least
 * lateness any timeout can have (target 7).  One thread sleeps --sleeps
 * times for --sleep-us each (clock_nanosleep to an absolute
 * CLOCK_MONOTONIC time) and records how late it woke.
 *
 *   bench-oversleep [--sleeps 1000] [--sleep-us 1000]
 *
 * Prints: bench=oversleep sleeps= sleep_us= late_p50_us= late_p99_us=
 *         late_max_us= over_1ms= (wake-ups more than 1 ms late)
 *         over_2ms=
 */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	long sleeps = 1000, sleep_us = 1000, over1 = 0, over2 = 0;
	struct bu_opt opts[] = {
	    {"sleeps", &sleeps, "timed sleeps"},
	    {"sleep-us", &sleep_us, "each sleep, in microseconds"},
	    {NULL, NULL, NULL},
	};
	double *late;

	bu_parse(argc, argv, "bench-oversleep", opts);
	if (sleeps < 1 || sleep_us < 1 || sleep_us > 10000000) {
		fprintf(stderr, "bench-oversleep: bad option value\n");
		return 2;
	}
	late = malloc((size_t)sleeps * sizeof *late);
	if (!late)
		return 1;
	for (long i = 0; i < sleeps; i++) {
		int64_t at = bu_now() + sleep_us * 1000;
		struct timespec ts = {at / 1000000000, at % 1000000000};

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) != 0)
			;
		late[i] = (double)(bu_now() - at) / 1000.0;
		over1 += late[i] > 1000.0;
		over2 += late[i] > 2000.0;
	}
	printf("bench=oversleep sleeps=%ld sleep_us=%ld late_p50_us=%.0f "
	       "late_p99_us=%.0f late_max_us=%.0f over_1ms=%ld over_2ms=%ld\n",
	       sleeps, sleep_us, bu_quantile(late, (size_t)sleeps, 0.5),
	       bu_quantile(late, (size_t)sleeps, 0.99),
	       bu_quantile(late, (size_t)sleeps, 1.0), over1, over2);
	free(late);
	return 0;
}
