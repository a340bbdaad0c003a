/*
 * crash.c - opt-in containment of fault signals raised by task code (S5).
 *
 * DESIGN
 * Signal dispositions are process-wide, so this is the one piece of
 * process state libwpool touches, and only while a pool created with
 * cfg.contain_crashes is alive (a reference count under a static mutex).
 * The handler runs on the faulting thread (SEGV, BUS, FPE, ILL are
 * synchronous; abort() raises SIGABRT on its caller).  If that thread is a
 * pool worker inside a task, the handler records the signal and jumps back
 * to the worker's sigsetjmp point: the run ends as FAILED (crashed) and the
 * worker carries on.  Anywhere else the previous disposition is restored
 * and the signal re-raised: a fault outside task code still crashes
 * loudly, with its core dump.
 *
 * Best effort, and documented as such: after a wild write the process may
 * be corrupt; locks the task held stay held (including glibc's abort lock
 * after SIGABRT).  Each worker gets an alternate signal stack so a stack
 * overflow in a task can be contained too.
 */
#include "wp-internal.h"

#include <stdlib.h>
#include <string.h>

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFAULTS (sizeof fault_signals / sizeof fault_signals[0])

/* Process-wide by necessity: the installed handlers and what they
 * replaced.  Protected by crash_mu; old_act is read by the handler only
 * while installed. */
static pthread_mutex_t crash_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned crash_refs;
static struct sigaction old_act[NFAULTS];

static int
fault_index(int sig)
{
	for (unsigned i = 0; i < NFAULTS; i++)
		if (fault_signals[i] == sig)
			return (int)i;
	return -1;
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	struct wp__thread *t = wp__self.worker;
	int i;

	if (t && t->in_task && t->pool->contain) {
		t->in_task = 0;
		t->fault_signo = sig;
		siglongjmp(t->jb, 2);
	}
	/* Not ours: behave as if we had never been installed. */
	i = fault_index(sig);
	if (i >= 0 && (old_act[i].sa_flags & SA_SIGINFO) &&
	    old_act[i].sa_sigaction) {
		old_act[i].sa_sigaction(sig, si, uc);
		return;
	}
	if (i >= 0 && old_act[i].sa_handler != SIG_DFL &&
	    old_act[i].sa_handler != SIG_IGN) {
		old_act[i].sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* After a jump out of a fault handler.  SA_NODEFER should have left the
 * signal unblocked, but a handler installed in front of ours (a sanitizer's
 * wrapper, say) may have blocked it; a fault with its signal blocked kills
 * the process, so the next crash would not be contained.  Only on this rare
 * path: saving the mask in sigsetjmp would cost a system call per task. */
void
wp__crash_unblock(void)
{
	sigset_t s;

	sigemptyset(&s);
	for (unsigned i = 0; i < NFAULTS; i++)
		sigaddset(&s, fault_signals[i]);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

int
wp__crash_acquire(void)
{
	struct sigaction sa;
	unsigned i;

	pthread_mutex_lock(&crash_mu);
	if (crash_refs++ == 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_fault;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < NFAULTS; i++)
			sigaction(fault_signals[i], &sa, &old_act[i]);
	}
	pthread_mutex_unlock(&crash_mu);
	return 0;
}

void
wp__crash_release(void)
{
	unsigned i;

	pthread_mutex_lock(&crash_mu);
	if (crash_refs > 0 && --crash_refs == 0)
		for (i = 0; i < NFAULTS; i++)
			sigaction(fault_signals[i], &old_act[i], NULL);
	pthread_mutex_unlock(&crash_mu);
}

int
wp__altstack_setup(struct wp__thread *t)
{
	stack_t ss;
	size_t size = WP__MAX((size_t)SIGSTKSZ, (size_t)64 * 1024);

	t->altstack = malloc(size);
	if (!t->altstack)
		return WP_ENOMEM;
	ss.ss_sp = t->altstack;
	ss.ss_size = size;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0) {
		free(t->altstack);
		t->altstack = NULL;
		return WP_ESYS;
	}
	return 0;
}

void
wp__altstack_teardown(struct wp__thread *t)
{
	stack_t ss;

	if (!t->altstack)
		return;
	memset(&ss, 0, sizeof ss);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	free(t->altstack);
	t->altstack = NULL;
}
