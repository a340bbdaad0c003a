/*
 * ctx.c - what a running task sees: its context, interruptible sleep,
 * result payload, and wp_panic().
 *
 * DESIGN
 * The context lives in the worker's thread struct and is reused from run
 * to run.  It is "done" when the pool's root context is cancelled (L1), or
 * when the watchdog (deadline) or a forced stop claimed this very run:
 * they record the run number in cancel_seq, so a late cancel can never
 * leak into the thread's next task.  wp_ctx_sleep() waits on the thread's
 * own condition variable, which every canceller broadcasts.
 *
 * wp_panic() jumps back to the worker's sigsetjmp point (worker.c); the
 * task's frames are abandoned, not unwound, which C cannot do.
 */
#include "wp-internal.h"

#include <stdio.h>
#include <stdlib.h>

_Thread_local struct wp__self wp__self;

bool
wp__on_own_thread(const wp_pool *pool)
{
	return wp__self.pool == pool || wp__self.stopping == pool;
}

void
wp__ctx_cancel(struct wp__thread *t, uint64_t run, int why)
{
	atomic_store(&t->ctx.cancel_why, why);
	atomic_store(&t->ctx.cancel_seq, run);
	pthread_mutex_lock(&t->sleep_mu);
	pthread_cond_broadcast(&t->sleep_cv);
	pthread_mutex_unlock(&t->sleep_mu);
}

int
wp_ctx_err(const wp_ctx *ctx)
{
	if (!ctx)
		return WP_EINVAL;
	if (atomic_load(&ctx->cancel_seq) == atomic_load(&ctx->seq))
		return atomic_load(&ctx->cancel_why);
	if (atomic_load(&ctx->pool->sig[WP_SIG_CANCEL]))
		return WP_ECANCELED;
	return 0;
}

bool
wp_ctx_done(const wp_ctx *ctx)
{
	return ctx && wp_ctx_err(ctx) != 0;
}

int
wp_ctx_sleep(wp_ctx *ctx, uint64_t ms)
{
	struct wp__thread *t;
	int64_t end;
	int err;

	if (!ctx)
		return WP_EINVAL;
	t = ctx->thread;
	end = wp__deadline_after_ms(ms);
	pthread_mutex_lock(&t->sleep_mu);
	while ((err = wp_ctx_err(ctx)) == 0 && wp__now() < end)
		wp__cond_wait_until(&t->sleep_cv, &t->sleep_mu, end);
	pthread_mutex_unlock(&t->sleep_mu);
	return err;
}

uint64_t
wp_ctx_task_id(const wp_ctx *ctx)
{
	return ctx ? ctx->task_id : 0;
}

int64_t
wp_ctx_deadline(const wp_ctx *ctx)
{
	return ctx ? ctx->deadline_ns : 0;
}

int
wp_ctx_worker(const wp_ctx *ctx)
{
	return ctx ? ctx->thread->last_slot : -1;
}

wp_pool *
wp_ctx_pool(const wp_ctx *ctx)
{
	return ctx ? ctx->pool : NULL;
}

void
wp_ctx_set_value(wp_ctx *ctx, uint64_t value)
{
	if (ctx)
		ctx->value = value;
}

void
wp_ctx_set_message(wp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx || !fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
	va_end(ap);
	ctx->has_msg = true;
}

wp_ctx *
wp_ctx_current(void)
{
	struct wp__thread *t = wp__self.worker;

	return t && t->in_task ? &t->ctx : NULL;
}

_Noreturn void
wp_panic(const char *fmt, ...)
{
	struct wp__thread *t = wp__self.worker;
	va_list ap;

	if (!t || !t->in_task) {
		/* Not task code: a programming error, crash loudly. */
		fputs("wp_panic outside a pool task: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt ? fmt : "(null)", ap);
		va_end(ap);
		fputc('\n', stderr);
		abort();
	}
	va_start(ap, fmt);
	vsnprintf(t->panic_msg, sizeof t->panic_msg, fmt ? fmt : "(null)",
		  ap);
	va_end(ap);
	t->in_task = 0;
	siglongjmp(t->jb, 1);
}
