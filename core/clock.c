/*
 * clock.c - ticks: the time stamps of the hot path.
 *
 * Every task is stamped at submit, at start and at its end (the end of one
 * task is the start of the next), and clock_gettime(CLOCK_MONOTONIC) costs
 * 25-40 ns on a virtual machine whose clock source is not the TSC: more
 * than the rest of a no-op task's bookkeeping.  Where the CPU has an
 * invariant time-stamp counter (constant rate, running in every C-state,
 * synchronised across CPUs: CPUID 0x80000007 EDX bit 8), wpool reads it
 * directly (about 10 ns) and converts intervals to nanoseconds with a
 * measured rate; elsewhere a tick is simply a CLOCK_MONOTONIC nanosecond.
 *
 * DESIGN
 * The rate is a constant of the machine, so it is measured once per
 * process (pthread_once, 0.5 ms of busy waiting against CLOCK_MONOTONIC,
 * good to about 1e-4) and refined whenever the monitor or the watchdog
 * asks, from the same anchor: after a few seconds it is good to 1e-8.
 * wp__clk is the only process-wide variable besides crash.c's handlers; it
 * is written once and then only refined, with atomics, so readers never
 * see a torn rate.  Conversions to CLOCK_MONOTONIC (deadlines shown to a
 * task, ages in the metrics) go through the anchor.  The same
 * once-per-process look at CPUID records whether the CPU has PREFETCHW
 * (CPUID 0x80000001 ECX bit 8), which the queue and the result lanes use
 * (wp__prefetch_w).
 */
#include "wp-internal.h"

#include <pthread.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define CALIBRATE_NS (500 * WP__NS_PER_US)
#define REFINE_EVERY_NS (50 * WP__NS_PER_MS)

struct wp__clock wp__clk;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

/* Bit `bit` of register `reg` (0-3: EAX, EBX, ECX, EDX) of CPUID leaf
 * `leaf`; false where the leaf does not exist (__get_cpuid checks). */
static bool
cpuid_bit(unsigned leaf, int reg, int bit)
{
#if defined(__x86_64__)
	unsigned r[4];

	if (!__get_cpuid(leaf, &r[0], &r[1], &r[2], &r[3]))
		return false;
	return (r[reg] >> bit) & 1;
#else
	(void)leaf;
	(void)reg;
	(void)bit;
	return false;
#endif
}

/* An invariant TSC: CPUID 0x80000007 EDX bit 8. */
static bool
tsc_invariant(void)
{
	return cpuid_bit(0x80000007, 3, 8);
}

/* PREFETCHW: CPUID 0x80000001 ECX bit 8. */
static bool
has_prefetchw(void)
{
	return cpuid_bit(0x80000001, 2, 8);
}

static int64_t
rdtsc(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (int64_t)((uint64_t)hi << 32 | lo);
#else
	return 0;
#endif
}

/* A tick reading and a CLOCK_MONOTONIC reading taken together: the tick
 * is the middle of the tightest of a few brackets around the clock. */
static void
pair(int64_t *ticks, int64_t *ns)
{
	int64_t best = INT64_MAX;

	*ticks = *ns = 0;
	for (int i = 0; i < 5; i++) {
		int64_t a = rdtsc(), n = wp__now(), b = rdtsc();

		if (b - a < best) {
			best = b - a;
			*ticks = a + (b - a) / 2;
			*ns = n;
		}
	}
}

static void
set_rate(int64_t dticks, int64_t dns)
{
	if (dticks <= 0 || dns <= 0)
		return;
	atomic_store(&wp__clk.mult,
		     (uint64_t)(((unsigned __int128)dns << 32) / (uint64_t)dticks));
	atomic_store(&wp__clk.rmult,
		     (uint64_t)(((unsigned __int128)dticks << 32) / (uint64_t)dns));
}

static void
init_once(void)
{
	int64_t t1, n1;

	atomic_init(&wp__clk.mult, 1ull << 32);
	atomic_init(&wp__clk.rmult, 1ull << 32);
	wp__clk.t0_ns = wp__now();
	wp__clk.t0_ticks = wp__clk.t0_ns;
	wp__clk.prefetchw = has_prefetchw();
	if (!tsc_invariant())
		return;
	pair(&wp__clk.t0_ticks, &wp__clk.t0_ns);
	do
		pair(&t1, &n1);
	while (n1 - wp__clk.t0_ns < CALIBRATE_NS);
	if (t1 <= wp__clk.t0_ticks)
		return; /* a counter that does not count: stay on the clock */
	set_rate(t1 - wp__clk.t0_ticks, n1 - wp__clk.t0_ns);
	atomic_store(&wp__clk.refined_ns, n1);
	wp__clk.tsc = true;
}

void
wp__clock_init(void)
{
	pthread_once(&clock_once, init_once);
}

void
wp__clock_refine(void)
{
	int64_t t, n, last = atomic_load(&wp__clk.refined_ns);

	if (!wp__clk.tsc || wp__now() - last < REFINE_EVERY_NS)
		return;
	pair(&t, &n);
	/* Whoever wins the race refines; the others have nothing to add. */
	if (!atomic_compare_exchange_strong(&wp__clk.refined_ns, &last, n))
		return;
	set_rate(t - wp__clk.t0_ticks, n - wp__clk.t0_ns);
}

int64_t
wp__tk2mono(int64_t ticks)
{
	if (!wp__clk.tsc)
		return ticks;
	if (ticks >= wp__clk.t0_ticks)
		return wp__clk.t0_ns + wp__tk2ns(ticks - wp__clk.t0_ticks);
	return wp__clk.t0_ns - wp__tk2ns(wp__clk.t0_ticks - ticks);
}
