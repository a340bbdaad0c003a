#!/usr/bin/env python3
"""Golden tests of headless wpool (the spirit of tmux's regress/).

  run.py WPOOL CASE.wp          run a script, compare with CASE.out (and,
                                with a '# json' header, CASE.json.out)
  run.py WPOOL --docs FILE      'wpool help --markdown' must equal FILE
  run.py WPOOL --cli            the command line: options, exit codes, stdin

Header lines of a script (before the first command):
  # args: -w 2 --stop-timeout 1s     extra wpool options
  # exit: 3                          expected exit code (default 0)
  # json                             also run with --json

Outputs are compared after masking what changes from run to run: clock
times, durations, thread numbers.  In --json runs every line must be one
JSON object; event lines are checked and then dropped (their interleaving
with replies depends on timing); volatile keys are masked.
WP_GOLDEN_UPDATE=1 rewrites the expected files.
"""
import json
import os
import re
import shlex
import subprocess
import sys

RUN_TIMEOUT = 180  # seconds per wpool run; generous for loaded machines

CLOCK = re.compile(r"\b\d\d:\d\d:\d\d\.\d{3}\b")
DURATION = re.compile(r"(?<![\w.])\d+(\.\d+)?(ns|us|ms|s|m|h)\b")
THREADNO = re.compile(r"\b(wp-(?:worker|orphan|spare))-\d+\b")
VOLATILE_KEYS = re.compile(
    r"(_ms|_ns|^ms|^uptime|^throughput|^proc_|_bytes$|^oldest_queued|"
    r"^threads$|^wall_ms|^value$|^threshold$|^window_samples$)")


def mask_line(s):
    # Trace lines ("+ LINE") are the script itself: kept as written.
    if s.startswith("+ "):
        return s
    if s.startswith("{"):
        try:
            obj = json.loads(s)
            return json.dumps(mask_json(obj), separators=(",", ":")) + "\n"
        except ValueError:
            pass
    s = CLOCK.sub("HH:MM:SS.mmm", s)
    s = DURATION.sub("<T>", s)
    s = THREADNO.sub(r"\1-N", s)
    return s


def mask_text(s):
    return "".join(mask_line(l) for l in s.splitlines(True))


def mask_json(v, key=""):
    if isinstance(v, dict):
        return {k: mask_json(x, k) for k, x in v.items()}
    if isinstance(v, list):
        items = [mask_json(x, key) for x in v]
        # Threads are listed in the order they exited.
        if key == "threads" and all(isinstance(x, dict) for x in items):
            items.sort(key=lambda x: json.dumps(x, sort_keys=True))
        return items
    if isinstance(v, (int, float)) and not isinstance(v, bool) \
            and VOLATILE_KEYS.search(key):
        return "<N>"
    if isinstance(v, str) and key != "trace":
        return mask_text(v)
    return v


def headers(path):
    args, code, want_json = [], 0, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("#"):
                if line:
                    break
                continue
            body = line[1:].strip()
            if body.startswith("args:"):
                args += shlex.split(body[5:])
            elif body.startswith("exit:"):
                code = int(body[5:])
            elif body == "json":
                want_json = True
    return args, code, want_json


def run(wpool, args):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    p = subprocess.run([wpool, "--headless"] + args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=RUN_TIMEOUT, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def compare(expected_path, got):
    if os.environ.get("WP_GOLDEN_UPDATE") == "1":
        with open(expected_path, "w", encoding="utf-8") as f:
            f.write(got)
        print("updated", expected_path)
        return True
    try:
        with open(expected_path, encoding="utf-8") as f:
            want = f.read()
    except FileNotFoundError:
        print("missing", expected_path, "(run with WP_GOLDEN_UPDATE=1)")
        print(got)
        return False
    if want == got:
        return True
    import difflib
    sys.stdout.writelines(difflib.unified_diff(
        want.splitlines(True), got.splitlines(True), expected_path, "got"))
    return False


def json_lines(out):
    kept = []
    for n, line in enumerate(out.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError:
            print("line %d is not JSON: %r" % (n, line))
            return None
        if not isinstance(obj, dict):
            print("line %d is not an object: %r" % (n, line))
            return None
        if "event" in obj:
            if not isinstance(obj.get("seq"), int) or "text" not in obj:
                print("bad event line %d: %r" % (n, line))
                return None
            continue
        if "progress" in obj:
            continue
        kept.append(json.dumps(mask_json(obj), separators=(",", ":")))
    return "".join(l + "\n" for l in kept)


def run_case(wpool, case):
    args, code, want_json = headers(case)
    base = case[:-3] if case.endswith(".wp") else case
    ok = True
    rc, out = run(wpool, ["-x"] + args + ["--script", case])
    if rc != code:
        print("%s: exit %d, want %d" % (case, rc, code))
        print(out)
        ok = False
    ok = compare(base + ".out", mask_text(out)) and ok
    if want_json:
        rc, out = run(wpool, ["--json", "-x"] + args + ["--script", case])
        if rc != code:
            print("%s --json: exit %d, want %d" % (case, rc, code))
            ok = False
        got = json_lines(out)
        ok = got is not None and compare(base + ".json.out", got) and ok
    return ok


def run_docs(wpool, path):
    p = subprocess.run([wpool, "--headless", "help", "--markdown"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       timeout=RUN_TIMEOUT)
    if p.returncode != 0:
        print("wpool help --markdown: exit", p.returncode)
        return False
    return compare(path, p.stdout.decode("utf-8"))


# (arguments, stdin, exit code, text the output must contain)
CLI_CASES = [
    (["--version"], "", 0, "wpool 0.1.0"),
    (["--help"], "", 0, "usage: wpool"),
    (["--bogus"], "", 2, "option '--bogus' is unknown"),
    (["-w"], "", 2, "needs a value"),
    (["--timeout", "5x"], "", 2, "--timeout: bad duration '5x'"),
    (["--workers", "0"], "", 2, "out of range"),
    (["--set", "nope=1"], "", 2, "unknown setting 'nope'"),
    (["--set", "novalue"], "", 2, "--set needs KEY=VALUE"),
    (["--script", "/nonexistent/x.wp"], "", 2, "No such file"),
    (["-w", "2", "echo", "hello world;", "x"], "", 0, "hello world; x"),
    (["-w", "2", "-c", "expect completed == 1"], "", 1, "does not hold"),
    (["-w", "2", "-c", "sleep 1ms; -kill-job 3"], "", 0, "(ignored)"),
    (["-w", "2", "-e", "-c", "kill-job 3\necho not-reached"], "", 1,
     "no job 3"),
    (["-w", "2"], "status\nsbumit\n", 1, "did you mean 'submit'?"),
    (["-w", "2"], "echo a\0b\n", 1, "NUL byte at column 7"),
    (["-w", "2"], "x" * 5000 + "\necho after\n", 1, "after"),
    (["-w", "2"], "quit\necho not-reached\n", 0, ""),
    (["-w", "2", "--json"], "pause\n", 0, '{"cmd":"pause","ok":true'),
    (["-w", "2", "--json", "--no-events"], "status\n", 0, '"state":'),
    (["-w", "2", "--stop-timeout", "300ms", "--timeout", "50ms"],
     "submit hang\nexpect orphans == 1 --within 10s\n", 3, ""),
]


def run_cli(wpool):
    ok = True
    env = dict(os.environ, LC_ALL="C.UTF-8")
    for args, stdin, code, want in CLI_CASES:
        p = subprocess.run([wpool] + args, input=stdin.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=RUN_TIMEOUT, env=env)
        out = p.stdout.decode("utf-8", "replace")
        bad = p.returncode != code or want not in out
        # Lines after -e's first failure, or after quit, never run.
        bad = bad or "not-reached\n" in out
        what = " ".join(args) + (" < %r" % stdin[:30] if stdin else "")
        print("%-4s wpool %s -> %d" % ("FAIL" if bad else "ok",
                                        what[:70].replace("\n", "\\n"),
                                        p.returncode))
        if bad:
            print("  want exit %d and %r in:\n%s" % (code, want, out[-2000:]))
            ok = False
    return ok


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    wpool = argv[1]
    if argv[2] == "--docs":
        return 0 if run_docs(wpool, argv[3]) else 1
    if argv[2] == "--cli":
        return 0 if run_cli(wpool) else 1
    return 0 if all([run_case(wpool, c) for c in argv[2:]]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
