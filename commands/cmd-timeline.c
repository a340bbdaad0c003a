/*
 * cmd-timeline.c - `timeline [--svg FILE]`: the last stop, phase by phase,
 * and optionally the same drawn on a time axis for a slide.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "timeline-svg.h"

/* Writes the SVG; the file is the operator's, created or truncated. */
static enum cmd_retval
write_svg(struct cmd_ctx *c, const struct wp_stop_report *r, const char *path)
{
	char title[96];
	FILE *f;
	int rc;

	if (path[0] == '\0')
		return cmd_usage(c, "--svg needs a file name");
	f = fopen(path, "w");
	if (f == NULL)
		return cmd_error(c, "cannot write %s: %s", path,
				 strerror(errno));
	snprintf(title, sizeof title, "wpool %s %s after %.1f ms",
		 r->drained ? "drain" : "stop", r->forced ? "forced" : "clean",
		 r->total_ms);
	rc = cmd_timeline_svg(r, f, title);
	if (fclose(f) != 0 && rc == 0)
		rc = WP_ESYS;
	if (rc != 0)
		return cmd_error(c, "cannot write %s: %s", path,
				 strerror(errno));
	cmd_json_str(cmd_reply(c), "svg", path);
	cmd_print(c, "timeline written to %s", path);
	return CMD_RETURN_NORMAL;
}

static enum cmd_retval
timeline_exec(struct cmd_ctx *c)
{
	const struct wp_stop_report *r = cmd_session_last_stop(c->s);
	const char *svg = cmd_args_str(c, "svg");

	if (r == NULL)
		return cmd_error(c, "no stop has finished yet (run 'stop' or "
				 "'drain')");
	if (svg != NULL)
		return write_svg(c, r, svg);
	cmd_report_timeline(c, r);
	return CMD_RETURN_NORMAL;
}

const struct cmd_entry cmd_timeline_entry = {
	.name = "timeline",
	.alias = {"tl", NULL},
	.group = "looking",
	.usage = "[--svg FILE]",
	.summary = "the last stop phase by phase, and the threads it left",
	.help = "--svg FILE draws each phase and each thread's exit on a time "
		"axis\n"
		"(SVG 1.1), the bound as a red line when the stop was forced.",
	.example = "timeline --svg stop.svg",
	.args = {0, 0,
		 {{"svg", CMD_ARG_STRING, "write the timeline as SVG to FILE"},
		  {NULL, 0, NULL}}},
	.exec = timeline_exec,
};
