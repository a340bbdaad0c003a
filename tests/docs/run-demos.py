#!/usr/bin/env python3
"""The lesson's scripts, docs/demos/NN-name.wpool, run headless.

  run-demos.py WPOOL DEMO_DIR TUTORIAL

Each script must run as a newcomer runs it, `wpool --headless --script
FILE`, with no extra options, and exit 0.  Each must also keep the shape the
lesson relies on: a name NN-name.wpool with the numbers 01, 02, ... in
lesson order and no gaps; a header comment that gives both ways to run it
(console and headless); `expect` lines at its end (the last command line is
an expect); and a mention in the tutorial, which has one step per script.
"""
import os
import re
import subprocess
import sys
import time

RUN_TIMEOUT = 240  # seconds per script; generous for sanitizers on 2 cores
NAME = re.compile(r"^(\d\d)-[a-z0-9]+(-[a-z0-9]+)*\.wpool$")
SANITIZER = re.compile(r"WARNING: ThreadSanitizer|ERROR: AddressSanitizer|"
                       r"runtime error:|ERROR: LeakSanitizer")


def command_lines(path):
    """The script's command lines (comments and blank lines dropped)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s and not s.startswith("#"):
                out.append(s)
    return out


def check_shape(directory, name, tutorial):
    problems = []
    path = os.path.join(directory, name)
    rel = "docs/demos/" + name
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for how in ("wpool --step --script " + rel,
                "wpool --headless --script " + rel):
        if how not in text:
            problems.append("its header does not say how to run it: " + how)
    lines = command_lines(path)
    if not lines:
        problems.append("no commands")
    elif not lines[-1].startswith("expect "):
        problems.append("does not end with expect lines (last: %r)"
                        % lines[-1])
    if rel not in tutorial:
        problems.append("docs/tutorial.md does not mention " + rel)
    return problems


def main(argv):
    if len(argv) != 4:
        print(__doc__)
        return 2
    wpool, directory, tutorial_path = argv[1:]
    with open(tutorial_path, encoding="utf-8") as f:
        tutorial = f.read()
    names = sorted(n for n in os.listdir(directory) if n.endswith(".wpool"))
    if not names:
        print("no .wpool scripts in", directory)
        return 1
    ok = True
    for want, name in enumerate(names, 1):
        m = NAME.match(name)
        if not m:
            print("%s: not named NN-name.wpool" % name)
            ok = False
        elif int(m.group(1)) != want:
            print("%s: numbered %s, expected %02d (lesson order, no gaps)"
                  % (name, m.group(1), want))
            ok = False
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("NO_COLOR", None)
    for name in names:
        problems = check_shape(directory, name, tutorial)
        path = os.path.join(directory, name)
        start = time.monotonic()
        try:
            p = subprocess.run([wpool, "--headless", "--script", path],
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env,
                               timeout=RUN_TIMEOUT)
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, out = "timeout", (e.stdout or b"").decode("utf-8", "replace")
        took = time.monotonic() - start
        if rc != 0:
            problems.append("exit %s, want 0" % rc)
        if SANITIZER.search(out):
            problems.append("a sanitizer reported a problem")
            rc = "sanitizer"
        status = "ok" if not problems else "FAIL"
        print("demo %-28s %-4s %5.1fs" % (name, status, took))
        for pr in problems:
            print("    " + pr)
        if rc != 0:
            print(out)
        ok = ok and not problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
