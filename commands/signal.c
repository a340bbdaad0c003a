/*
 * signal.c - firing one layer signal, shared by cancel, shutdown,
 * stop-monitor, stop-health and close.
 */
#include <stdio.h>

#include "cmd.h"

enum cmd_retval
cmd_fire(struct cmd_ctx *c, enum wp_signal sig, const char *effect)
{
	struct cmd_json *j = cmd_reply(c);
	wp_pool *pool = cmd_pool(c);
	int rc;

	if (pool == NULL)
		return cmd_error(c, "no pool");
	rc = wp_pool_signal(pool, sig);
	if (rc == WP_EALREADY)
		return cmd_error(c, "L%d %s already fired", wp_signal_layer(sig),
				 wp_signal_name(sig));
	if (rc != 0)
		return cmd_error_wp(c, rc, "L%d %s", wp_signal_layer(sig),
				    wp_signal_name(sig));
	cmd_json_str(j, "signal", wp_signal_name(sig));
	cmd_json_u64(j, "layer", (uint64_t)wp_signal_layer(sig));
	cmd_print(c, "L%d %s fired: %s", wp_signal_layer(sig),
		  wp_signal_name(sig), effect);
	return CMD_RETURN_NORMAL;
}
