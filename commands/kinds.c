/*
 * kinds.c - the task kinds `submit` knows, and the registry for more.
 *
 * DESIGN
 * The task functions here run on pool worker threads (or, for `hang`, on a
 * worker the pool has left behind as an orphan).  They touch nothing of the
 * session: their argument is a number packed into the arg pointer, so a
 * task that panics or is abandoned leaks nothing.  The only shared state is
 * two process-wide atomics for `hang`: the release epoch (bumped when a
 * session closes or restarts, so hung tasks return and tests end cleanly)
 * and the count of hang tasks still inside their loop.
 *
 * Registered kinds get a malloc'd copy of the ARGS text that they own.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define HANG_CAP_MS (3600ull * 1000) /* a hang task gives up after 1 h */
#define MIX_STEP_MS 100              /* mix: priority x 100 ms */

static _Atomic unsigned release_epoch;
static _Atomic unsigned hanging;
/* Where `crash` writes: not NULL (UBSan would stop at a NULL store before
 * the fault), never mapped. */
static volatile uintptr_t crash_addr = 16;

void
cmd_kinds_release(void)
{
	atomic_fetch_add(&release_epoch, 1);
}

unsigned
cmd_kinds_hanging(void)
{
	return atomic_load(&hanging);
}

static void
msleep(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* ---- task functions (worker threads) ---- */

static int
task_sleep(wp_ctx *ctx, void *arg)
{
	uint64_t ms = (uintptr_t)arg;
	int rc = wp_ctx_sleep(ctx, ms);

	if (rc != 0)
		return rc;
	wp_ctx_set_value(ctx, ms);
	return 0;
}

static int
task_spin(wp_ctx *ctx, void *arg)
{
	uint64_t ms = (uintptr_t)arg;
	int64_t until = cmd_now_ns() + (int64_t)ms * 1000000;
	volatile uint64_t x = 0;
	unsigned i;

	while (cmd_now_ns() < until) {
		for (i = 0; i < 10000; i++)
			x += i;
		if (wp_ctx_done(ctx))
			return wp_ctx_err(ctx);
	}
	wp_ctx_set_value(ctx, ms + (x & 0));
	return 0;
}

static int
task_fail(wp_ctx *ctx, void *arg)
{
	int code = (int)(uintptr_t)arg;

	wp_ctx_set_message(ctx, "failed on purpose (code %d)", code);
	return code;
}

static int
task_panic(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	wp_panic("panic on purpose");
}

/* Ignores its context on purpose: only the release epoch or the cap ends
 * it, so the pool must hand its worker off and leave it as an orphan. */
static int
task_hang(wp_ctx *ctx, void *arg)
{
	uint64_t cap = (uintptr_t)arg;
	unsigned epoch = atomic_load(&release_epoch);
	int64_t until = cmd_now_ns() + (int64_t)cap * 1000000;

	(void)ctx;
	atomic_fetch_add(&hanging, 1);
	while (atomic_load(&release_epoch) == epoch && cmd_now_ns() < until)
		msleep(10);
	atomic_fetch_sub(&hanging, 1);
	return 0;
}

/* The fault must happen in this code, not inside a sanitizer's check of
 * the address (a fault in the runtime cannot be recovered from): the store
 * is left uninstrumented. */
__attribute__((no_sanitize("address", "thread", "undefined"))) static int
task_crash(wp_ctx *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	*(volatile int *)crash_addr = 1;
	return 0;
}

/* mix: arg packs the priority (bits 0-7) and "fail" (bit 8). */
static int
task_mix(wp_ctx *ctx, void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	unsigned prio = (unsigned)(a & 0xff);
	int rc = wp_ctx_sleep(ctx, (uint64_t)prio * MIX_STEP_MS);

	if (rc != 0)
		return rc;
	if (a & 0x100) {
		wp_ctx_set_message(ctx, "demo failure (every 10th task)");
		return 1;
	}
	return 0;
}

/* ---- argument checks (exec thread) ---- */

static int
prep_duration(struct cmd_ctx *c, const char *const *argv, int argc,
	      void **arg_out, const char *what)
{
	char err[160];
	uint64_t ms;

	if (argc < 1)
		return cmd_usage(c, "%s needs a duration (e.g. %s 100ms)", what,
				 what);
	if (argc > 1)
		return cmd_usage(c, "%s takes one duration, not '%s'", what,
				 argv[1]);
	if (cmd_parse_duration(argv[0], false, &ms, err, sizeof err) != 0)
		return cmd_usage(c, "%s: %s", what, err);
	*arg_out = (void *)(uintptr_t)ms;
	return 0;
}

static int
prep_sleep(struct cmd_ctx *c, const char *const *argv, int argc,
	   void **arg_out)
{
	return prep_duration(c, argv, argc, arg_out, "sleep");
}

static int
prep_spin(struct cmd_ctx *c, const char *const *argv, int argc,
	  void **arg_out)
{
	return prep_duration(c, argv, argc, arg_out, "spin");
}

static int
prep_hang(struct cmd_ctx *c, const char *const *argv, int argc,
	  void **arg_out)
{
	char err[160];
	uint64_t ms = HANG_CAP_MS;

	if (argc > 1)
		return cmd_usage(c, "hang takes at most a cap duration");
	if (argc == 1 &&
	    cmd_parse_duration(argv[0], false, &ms, err, sizeof err) != 0)
		return cmd_usage(c, "hang: %s", err);
	if (ms > HANG_CAP_MS)
		ms = HANG_CAP_MS;
	*arg_out = (void *)(uintptr_t)ms;
	return 0;
}

static int
prep_fail(struct cmd_ctx *c, const char *const *argv, int argc,
	  void **arg_out)
{
	char err[160];
	uint64_t code = 1;

	if (argc > 1)
		return cmd_usage(c, "fail takes at most an exit code");
	if (argc == 1 && cmd_parse_u64(argv[0], 255, &code, err, sizeof err))
		return cmd_usage(c, "fail: %s", err);
	if (code == 0)
		return cmd_usage(c, "fail: the code must not be 0");
	*arg_out = (void *)(uintptr_t)code;
	return 0;
}

static int
prep_none(struct cmd_ctx *c, const char *const *argv, int argc,
	  void **arg_out)
{
	(void)argv;
	*arg_out = NULL;
	if (argc > 0)
		return cmd_usage(c, "this kind takes no arguments (got '%s')",
				 argv[0]);
	return 0;
}

static void
opts_mix(struct cmd_session *s, void *arg, struct wp_task_opts *o,
	 void **arg_out)
{
	uint64_t n = atomic_fetch_add(&s->mix_seq, 1);
	unsigned prio = 1 + (unsigned)(n % 5);

	(void)arg;
	if (o->priority == -1)
		o->priority = (int)prio;
	*arg_out = (void *)(uintptr_t)(prio | (n % 10 == 9 ? 0x100 : 0));
}

static struct cmd_kind builtins[] = {
	{.name = "sleep", .fn = task_sleep, .builtin = true,
	 .prepare = prep_sleep, .usage = "sleep D",
	 .help = "sleeps D, waking early when its context is done"},
	{.name = "spin", .fn = task_spin, .builtin = true,
	 .prepare = prep_spin, .usage = "spin D",
	 .help = "burns CPU for D, checking its context"},
	{.name = "fail", .fn = task_fail, .builtin = true,
	 .prepare = prep_fail, .usage = "fail [CODE]",
	 .help = "returns CODE (1): a failed result"},
	{.name = "panic", .fn = task_panic, .builtin = true,
	 .prepare = prep_none, .usage = "panic",
	 .help = "calls wp_panic(): a failed, panicked result"},
	{.name = "hang", .fn = task_hang, .builtin = true,
	 .prepare = prep_hang, .usage = "hang [CAP]",
	 .help = "ignores its context until released (cap 1h): orphans"},
	{.name = "crash", .fn = task_crash, .builtin = true,
	 .prepare = prep_none, .usage = "crash",
	 .help = "segfaults (needs contain-crashes on)"},
	{.name = "mix", .fn = task_mix, .builtin = true,
	 .prepare = prep_none, .task_opts = opts_mix, .usage = "mix",
	 .help = "the demo load: priority 1-5, runs priority x 100ms, "
		 "every 10th fails"},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

void
cmd_kinds_init(struct cmd_session *s)
{
	s->kinds = NULL;
}

void
cmd_kinds_free(struct cmd_session *s)
{
	struct cmd_kind *k, *next;

	for (k = s->kinds; k != NULL; k = next) {
		next = k->next;
		free(k);
	}
	s->kinds = NULL;
}

const struct cmd_kind *
cmd_kind_find(struct cmd_session *s, const char *name)
{
	const struct cmd_kind *k;
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	pthread_mutex_lock(&s->mu);
	for (k = s->kinds; k != NULL; k = k->next)
		if (strcmp(k->name, name) == 0)
			break;
	pthread_mutex_unlock(&s->mu);
	return k;
}

size_t
cmd_kind_names(struct cmd_session *s, const char **buf, size_t n)
{
	const struct cmd_kind *k;
	size_t i, got = 0;

	for (i = 0; i < NBUILTINS && got < n; i++)
		buf[got++] = builtins[i].name;
	pthread_mutex_lock(&s->mu);
	for (k = s->kinds; k != NULL && got < n; k = k->next)
		buf[got++] = k->name;
	pthread_mutex_unlock(&s->mu);
	return got;
}

int
cmd_kind_register(struct cmd_session *s, const char *name, wp_task_fn fn,
		  const char *help)
{
	struct cmd_kind *k, **tail;
	size_t len, i;

	if (s == NULL || name == NULL || fn == NULL)
		return WP_EINVAL;
	len = strlen(name);
	if (len == 0 || len >= WP_KIND_MAX)
		return WP_EINVAL;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		      name[i] == '_'))
			return WP_EINVAL;
	if (cmd_kind_find(s, name) != NULL)
		return WP_EALREADY;
	k = calloc(1, sizeof *k);
	if (k == NULL)
		return WP_ENOMEM;
	memcpy(k->name, name, len + 1);
	snprintf(k->help, sizeof k->help, "%s", help ? help : "");
	k->fn = fn;
	k->usage = NULL;
	pthread_mutex_lock(&s->mu);
	for (tail = &s->kinds; *tail != NULL; tail = &(*tail)->next)
		if (strcmp((*tail)->name, name) == 0)
			break;
	if (*tail != NULL) {
		pthread_mutex_unlock(&s->mu);
		free(k);
		return WP_EALREADY;
	}
	*tail = k;
	pthread_mutex_unlock(&s->mu);
	return 0;
}
