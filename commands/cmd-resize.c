/*
 * cmd-resize.c - `resize N`: change the number of workers.
 */
#include "cmd.h"

static enum cmd_retval
resize_exec(struct cmd_ctx *c)
{
	const struct wp_option_info *oi = wp_option_info(WP_OPT_WORKERS);
	char err[160];
	uint64_t n;

	if (c->args.argc == 0)
		return cmd_option_show(c, oi);
	if (cmd_parse_u64(c->args.argv[0], UINT64_MAX, &n, err,
			  sizeof err) != 0)
		return cmd_usage(c, "workers: %s", err);
	return cmd_option_set(c, oi, n);
}

const struct cmd_entry cmd_resize_entry = {
	.name = "resize",
	.group = "settings",
	.usage = "[N]",
	.summary = "show or set the number of workers",
	.example = "resize 8",
	.args = {0, 1, {{NULL, 0, NULL}}},
	.exec = resize_exec,
};
