/*
 * timeline-svg.h - a stop report drawn as an SVG timeline (timeline --svg).
 *
 * Kept out of cmd.h on purpose: the renderer needs only the public
 * wp_stop_report, so anything that holds one (the command, a test, an
 * embedding program) can draw it.
 */
#ifndef TIMELINE_SVG_H
#define TIMELINE_SVG_H

#include <stdio.h>

#include <wpool.h>

/* Writes r as a self-contained SVG 1.1 document to out: a time axis in ms
 * since the stop began, one lane per stop phase, one lane per thread up to
 * its exit (threads still alive run to the end, marked "still alive"), the
 * bound as a red line when the stop was forced, and a legend.  title (may
 * be NULL: "wpool stop timeline") is escaped.  Numbers are written without
 * the locale.  r and out are borrowed for the call.  Returns 0, WP_EINVAL
 * for a NULL r or out, or WP_ESYS when writing failed (errno is kept). */
int cmd_timeline_svg(const struct wp_stop_report *r, FILE *out,
		     const char *title);

#endif /* TIMELINE_SVG_H */
