#!/bin/sh
# e2e.sh WPOOL CASE - drives the real console in a private tmux server.
#
# Each case starts `wpool --test-mode` (ASCII, no colour, a frame counter
# in the key bar) in its own tmux server (-L wpt<pid>, no config), types
# with send-keys, and reads the screen with capture-pane.  It waits for
# text by polling, never by sleeping blindly, up to a generous ceiling
# (WPT_CEILING seconds, times WP_TIMEOUT_MULT), so a loaded machine or a
# sanitizer build is only slower.  On failure it prints the screen and the
# program's stderr.  Exit 77 (skipped) when tmux is missing.
set -u

bin=$1
name=$2
command -v tmux >/dev/null 2>&1 || {
	echo "tmux is not installed: skipped"
	exit 77
}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wpt.XXXXXX")
sock=wpt$$
ceiling=$((${WPT_CEILING:-20} * ${WP_TIMEOUT_MULT:-1}))
term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen

T() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	T kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

screen() { T capture-pane -p -t t 2>/dev/null; }
keys() { T send-keys -t t "$@"; }
type_() { T send-keys -t t -l "$1"; }
run() {
	type_ "$1"
	keys Enter
}

fail() {
	echo "FAIL [$name]: $*"
	echo "---- screen ----"
	screen
	echo "---- stderr ----"
	cat "$tmp/stderr" 2>/dev/null
	exit 1
}

# wait_for TEXT: polls the screen every 100 ms until TEXT is on it.
wait_for() {
	i=0
	while [ "$i" -lt $((ceiling * 10)) ]; do
		screen | grep -F -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for: $1"
}

wait_gone() {
	i=0
	while [ "$i" -lt $((ceiling * 10)) ]; do
		screen | grep -F -q -- "$1" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for this to go: $1"
}

# The prompt line, trailing blanks trimmed.
prompt() { screen | grep '^wpool>' | sed 's/ *$//'; }

wait_prompt() {
	i=0
	while [ "$i" -lt $((ceiling * 10)) ]; do
		[ "$(prompt)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for the prompt line '$1' (have '$(prompt)')"
}

frame() { screen | sed -n 's/.* frame \([0-9]*\)$/\1/p' | tail -1; }

# wait_frames N: the console has drawn N more frames (it has handled
# everything sent before this call).
wait_frames() {
	f0=$(frame)
	i=0
	while [ "$i" -lt $((ceiling * 10)) ]; do
		f=$(frame)
		[ -n "$f" ] && [ -n "$f0" ] && [ "$f" -ge $((f0 + $1)) ] &&
			return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "the frame counter did not move"
}

# Not anywhere on the screen but the prompt line.
not_on_screen() {
	screen | grep -v '^wpool>' | grep -F -q -- "$1" &&
		fail "unexpected on screen: $1"
	return 0
}

# start W H [ARGS...]: the console in a fresh tmux server.
start() {
	w=$1
	h=$2
	shift 2
	T kill-server >/dev/null 2>&1
	# A server that is still going away refuses new sessions: retry.
	i=0
	until T new-session -d -s t -x "$w" -y "$h" \
		"env TERM=$term LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		XDG_STATE_HOME='$tmp/state' WPOOL_TEST=1 ${WPT_PRE:-} \
		'$bin' ${WPT_ARGS--w 2 --monitor-interval 200ms \
		--health-interval 200ms} $* 2>>'$tmp/stderr'; echo EXIT=\$?; \
		sleep 600" 2>/dev/null; do
		[ "$i" -lt 50 ] || fail "tmux would not start"
		sleep 0.1
		i=$((i + 1))
	done
	wait_for "wpool>"
	wait_for "RUNNING"
}

# The console's pid: the child of the pane's shell (no pgrep: procps is
# not always installed).
wpool_pid() {
	pp=$(T display -p -t t '#{pane_pid}')
	for d in /proc/[0-9]*; do
		if [ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" = "$pp" ]; then
			echo "${d#/proc/}"
			return
		fi
	done
}

# The terminal is back to normal: main screen, cursor on.
restored() {
	[ "$(T display -p -t t '#{alternate_on}')" = 0 ] ||
		fail "still on the alternate screen"
	[ "$(T display -p -t t '#{cursor_flag}')" = 1 ] ||
		fail "cursor still hidden"
	[ "$(T display -p -t t '#{keypad_flag}')" = 0 ] ||
		fail "keypad mode left on"
}

sanitizers_quiet() {
	if grep -E -q 'Sanitizer|runtime error' "$tmp/stderr" 2>/dev/null; then
		fail "sanitizer report"
	fi
}

# finish CODE: quit (confirming if asked) and expect exit code CODE.
finish() {
	keys C-c
	run quit
	i=0
	while [ "$i" -lt $((ceiling * 10)) ]; do
		s=$(screen)
		case $s in
		*"[y/N]"*) keys y ;;
		*EXIT=*) break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	wait_for "EXIT=$1"
	restored
	sanitizers_quiet
}

case_start() {
	start 80 24
	wait_for "HEALTH ok"
	wait_for "L1 cancel armed"
	run "submit 20 sleep 10ms"
	wait_for "> submit 20 sleep 10ms"
	wait_for "done   20"
	wait_for "sum    ok"
	wait_for "submit 20"
	finish 0
}

case_freeze() {
	start 80 24
	wait_for "QUEUES & COUNTERS"
	run "stop-monitor"
	wait_for "FROZEN: monitor stopped"
	wait_for "mon 0"
	run "submit 5 sleep 10ms"
	wait_for "5 tasks submitted"
	# Frozen: the counters do not move while the monitor is stopped.
	wait_frames 2
	not_on_screen "done   5"
	run "stop-health"
	wait_for "HEALTH FROZEN since"
	wait_for "checker stopped"
	finish 0
}

case_layers() {
	start 120 30
	for pair in "cancel:cancel FIRED" "shutdown:shutdown FIRED" \
		"stop-monitor:monitor FIRED" "stop-health:health FIRED" \
		"close tasks:tasks FIRED" "close results:results FIRED" \
		"close errors:errors FIRED"; do
		run "${pair%%:*}"
		wait_for "${pair#*:}"
	done
	not_on_screen "armed"
	wait_for "admission CLOSED"
	finish 0
}

case_forced() {
	start 80 24 --stop-timeout 1s
	run "submit hang"
	wait_for "1 busy"
	run "stop"
	wait_for "STOP FORCED after"
	wait_for "FORCED: 1 left behind"
	wait_for "left 1:"
	wait_for "wp-orphan"
	wait_for " FORCED "
	finish 3
}

case_resize() {
	start 80 24
	T resize-window -t t -x 30 -y 8
	wait_for "terminal too small"
	wait_for "have 30x8"
	# The prompt still works.
	run "stop-monitor"
	T resize-window -t t -x 80 -y 24
	wait_for "FROZEN: monitor stopped"
	wait_gone "terminal too small"
	T resize-window -t t -x 120 -y 40
	wait_for "task-timeout none"
	wait_for "METRICS FROZEN since"
	T resize-window -t t -x 60 -y 20
	wait_for "results [-"
	not_on_screen "WORKERS"
	finish 0
}

case_history() {
	start 80 24
	# Wait on the last line of each reply: at 80x24 the echoed command
	# scrolls out of the event pane as soon as its reply is printed.
	run "status"
	wait_for "in flight 0"
	run "workers"
	wait_for "wp-worker-1     idle"
	finish 0
	start 80 24
	keys Up
	wait_prompt "wpool> quit"
	keys Up
	wait_prompt "wpool> workers"
	keys Up
	wait_prompt "wpool> status"
	keys C-c
	wait_prompt "wpool>"
	keys C-r
	type_ "sta"
	wait_for "(reverse-i-search)\`sta': status"
	keys C-c
	wait_prompt "wpool>"
	finish 0
}

case_complete() {
	start 80 24
	type_ "stop-mon"
	keys Tab
	wait_prompt "wpool> stop-monitor"
	keys C-c
	type_ "sta"
	keys Tab
	wait_for "COMPLETIONS"
	wait_for "status"
	wait_for "start"
	keys C-c
	wait_gone "COMPLETIONS"
	type_ "set task-t"
	keys Tab
	wait_prompt "wpool> set task-timeout"
	keys C-c
	type_ "submit 1 sl"
	keys Tab
	wait_prompt "wpool> submit 1 sleep"
	finish 0
}

case_paste() {
	start 80 24
	T set-buffer -b p "$(printf 'echo pasted-one\necho pasted-two')"
	T paste-buffer -p -b p -t t
	wait_prompt "wpool> echo pasted-one^Jecho pasted-two"
	wait_frames 2
	not_on_screen "pasted-one"
	keys Enter
	wait_for "> echo pasted-one"
	wait_for "> echo pasted-two"
	wait_for "         pasted-two"
	finish 0
}

case_keys() {
	start 80 24
	type_ "abc"
	wait_prompt "wpool> abc"
	keys C-c
	wait_prompt "wpool>"
	keys F1
	wait_for "HELP (F1"
	wait_for "wpool commands"
	keys NPage NPage NPage NPage NPage
	wait_for "Console keys:"
	keys Escape
	wait_gone "HELP (F1"
	run "help stop"
	wait_for "usage: stop"
	keys F1
	wait_gone "HELP (F1"
	run "sumbit 1 sleep 1s"
	wait_for "ERROR: "
	run "status"
	wait_gone "ERROR: "
	for i in 1 2 3; do run "workers"; done
	wait_for "wp-worker-1"
	wait_frames 1
	keys PPage
	wait_for "SCROLLED:"
	keys NPage NPage NPage
	wait_gone "SCROLLED:"
	keys C-l
	wait_frames 1
	keys C-z
	run "echo back"
	wait_for "back"
	run "refresh 250ms"
	wait_for "refresh every 250ms"
	finish 1 # the misspelt command failed
}

case_signals() {
	start 80 24
	pid=$(wpool_pid)
	[ -n "$pid" ] || fail "no wpool process"
	kill -TERM "$pid"
	wait_for "EXIT=143"
	restored
	sanitizers_quiet
	# Faults inside tasks are contained by the pool (the console's own
	# fault handler hands them on); the console carries on.  Not under
	# ThreadSanitizer, where libwpool's containment itself cannot work.
	if ldd "$bin" | grep -q libtsan; then
		start 80 24
	else
		start 80 24 --contain-crashes
		run "submit 6 crash"
		wait_for "panic  6" # the reply may scroll away under the events
		run "echo still-here"
		wait_for "         still-here"
	fi
	# A fault outside any task: the terminal comes back, the signal is
	# re-raised (or handed to a sanitizer).
	kill -SEGV "$(wpool_pid)"
	wait_for "EXIT="
	restored
}

case_hangup() {
	# With SIGHUP ignored, only the terminal's hang-up tells the console
	# to go: it must exit, never spin.
	WPT_PRE="sh -c 'trap \"\" HUP; exec \"\$0\" \"\$@\"'"
	start 80 24
	pid=$(wpool_pid)
	[ -n "$pid" ] || fail "no wpool process"
	T kill-server
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		[ "$i" -lt $((ceiling * 10)) ] || fail "still running after hang-up"
		sleep 0.1
		i=$((i + 1))
	done
	sanitizers_quiet
}

# Outside test mode: UTF-8 glyphs and colour; NO_COLOR leaves only
# attributes; a non-UTF-8 locale gets ASCII.
case_look() {
	esc=$(printf '\033')
	colour="${esc}\[([0-9]+;)*(3[0-8]|4[0-8]|9[0-7])[;m]"
	WPT_PRE="env WPOOL_TEST=0"
	start 80 24
	wait_for "HEALTH ok"
	T capture-pane -e -p -t t >"$tmp/look"
	grep -q "$(printf '\342\224\200')" "$tmp/look" || fail "no UTF-8 rule"
	grep -E -q "$colour" "$tmp/look" || fail "no colour"
	finish 0
	WPT_PRE="env WPOOL_TEST=0 NO_COLOR=1"
	start 80 24
	wait_for "HEALTH ok"
	run "stop-monitor"
	wait_for "FROZEN"
	T capture-pane -e -p -t t >"$tmp/look"
	grep -E -q "$colour" "$tmp/look" && fail "colour despite NO_COLOR"
	grep -q "${esc}\[[0-9;]*7m" "$tmp/look" || fail "no reverse video"
	finish 0
	WPT_PRE="env WPOOL_TEST=0 LANG=C LC_ALL=C"
	start 80 24
	wait_for "HEALTH ok"
	wait_for "- WORKERS"
	screen | grep -q "$(printf '\342')" && fail "UTF-8 in the C locale"
	finish 0
}

# examples/console-embed: its own pool and task kind.
case_embed() {
	WPT_ARGS=
	start 80 24
	wait_for "WORKERS 3"
	run "submit 6 checksum 2048"
	wait_for "6 tasks submitted"
	wait_for "done   6"
	run "kinds"
	wait_for "checksum [KIB]"
	finish 0
}

"case_$name"
echo "ok [$name]"
