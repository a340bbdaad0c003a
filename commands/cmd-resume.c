/*
 * cmd-resume.c - `resume`: undo pause.
 */
#include "cmd.h"

static enum cmd_retval
resume_exec(struct cmd_ctx *c)
{
	wp_pool *pool = cmd_pool(c);
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = wp_pool_resume(pool);
	if (rc != 0)
		return cmd_error_wp(c, rc, "%s", "");
	cmd_print(c, "resumed");
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_resume_entry = {
	.name = "resume",
	.group = "layers",
	.usage = "",
	.summary = "workers take tasks again after pause",
	.args = {0, 0, {{NULL, 0, NULL}}},
	.exec = resume_exec,
};
