/*
 * console-embed.c - a program that opens the wpool console on its own pool
 * with a task kind of its own.
 *
 * The program chooses the pool's configuration, registers `checksum`
 * (hashes N KiB of generated data, checking its context as it goes), and
 * hands its terminal to the console until the operator quits.  In the
 * console: `submit 20 checksum 4096`, `kinds`, `help submit`, `stop`.
 *
 * The console needs its sink and session options before the session
 * exists (tui_sink(), tui_session_opts()), because the session reports
 * through the sink from its first moment.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "tui.h"

/* Runs on a pool worker.  arg is the ARGS text (or NULL), ours to free. */
static int
checksum(wp_ctx *ctx, void *arg)
{
	unsigned long kib = arg != NULL ? strtoul(arg, NULL, 10) : 1024;
	uint64_t h = 14695981039346656037ull, x = wp_ctx_task_id(ctx);

	free(arg);
	if (kib == 0 || kib > 1024 * 1024) {
		wp_ctx_set_message(ctx, "checksum KIB: 1 to 1048576");
		return 1;
	}
	for (unsigned long i = 0; i < kib * 1024 / 8; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		h = (h ^ x) * 1099511628211ull;
		if (i % 8192 == 0 && wp_ctx_done(ctx))
			return wp_ctx_err(ctx); /* timed out or cancelled */
	}
	wp_ctx_set_value(ctx, h);
	wp_ctx_set_message(ctx, "%lu KiB hashed", kib);
	return 0;
}

int
main(void)
{
	struct cmd_session_opts o;
	struct cmd_session *s;
	struct cmd_sink sink;
	struct tui_options to = {.refresh_ms = 500};
	int rc, code;

	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "console-embed: run me in a terminal\n");
		return 1;
	}
	cmd_session_opts_init(&o);
	o.cfg.workers = 3;
	o.cfg.task_timeout_ms = 2000;
	o.cfg.monitor_interval_ms = 500;
	o.cfg.health_interval_ms = 1000;
	o.cfg.stop_timeout_ms = 3000;
	tui_session_opts(&o);
	tui_sink(&sink);
	rc = cmd_session_new(&o, &sink, &s);
	if (rc != 0) {
		fprintf(stderr, "console-embed: %s\n", wp_strerror(rc));
		return 1;
	}
	rc = cmd_kind_register(s, "checksum", checksum,
			       "checksum [KIB]: hashes KIB KiB of data "
			       "(default 1024), checking its context");
	if (rc != 0) {
		fprintf(stderr, "console-embed: %s\n", wp_strerror(rc));
		cmd_session_free(s);
		return 1;
	}
	rc = tui_run(s, &to);
	code = cmd_session_finish(s);
	cmd_session_free(s);
	return rc >= 128 ? rc : code;
}
