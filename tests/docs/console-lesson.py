#!/usr/bin/env python3
"""The lesson as a reader follows it: every docs/demos/NN-*.wpool in the
console, `wpool --step --script FILE`, in tmux.

  console-lesson.py WPOOL DEMO_DIR

For each script: wait until the console offers the script's next line at
its prompt, press Enter, and so on to the end; then quit (Ctrl-D, and 'y'
if the console asks) and require exit status 0, which the console gives
only if no command failed and every `expect` held.  Nothing sleeps
blindly: every step waits for text on the screen, with a generous ceiling.
Exit 77 (skipped) when tmux is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

COLS, ROWS = 140, 40
CEILING = 120.0  # seconds to wait for any one thing; sanitizers are slow


class Console:
    def __init__(self, wpool, script, tmp):
        self.sock = "wpdoc%d" % os.getpid()
        self.rcfile = os.path.join(tmp, "rc")
        if os.path.exists(self.rcfile):
            os.unlink(self.rcfile)
        cmd = ("LC_ALL=C.UTF-8 %s --test-mode --history %s --step --script "
               "%s; echo $? > %s" % (wpool, os.path.join(tmp, "history"),
                                     script, self.rcfile))
        self.tmux("new-session", "-d", "-x", str(COLS), "-y", str(ROWS), cmd)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"]
                              + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode(
                                  "utf-8", "replace")

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def wait(self, pred, what):
        end = time.monotonic() + CEILING
        while time.monotonic() < end:
            s = self.screen()
            if pred(s):
                return s
            if os.path.exists(self.rcfile):
                raise RuntimeError("wpool ended while waiting for " + what)
            time.sleep(0.05)
        raise RuntimeError("timed out waiting for %s; screen:\n%s"
                           % (what, self.screen()))

    def close(self):
        self.tmux("kill-server")


def squash(s):
    return " ".join(s.split())


def prompt_of(screen):
    for line in reversed(screen.splitlines()):
        if line.startswith("wpool>"):
            return squash(line[len("wpool>"):])
    return None


def script_lines(path):
    with open(path, encoding="utf-8") as f:
        return [squash(l) for l in f if l.strip() and
                not l.lstrip().startswith("#")]


def run_one(wpool, path, tmp):
    con = Console(wpool, path, tmp)
    try:
        for n, line in enumerate(script_lines(path), 1):
            con.wait(lambda s: prompt_of(s) == line,
                     "line %d at the prompt: %s" % (n, line))
            con.tmux("send-keys", "Enter")
        con.wait(lambda s: re.search(r"script \S+ done", s) is not None
                 or "ERROR" in s, "the end of the script")
        con.tmux("send-keys", "C-d")
        end = time.monotonic() + CEILING
        while not os.path.exists(con.rcfile):
            if "Quit? [y/N]" in con.screen():
                con.tmux("send-keys", "y")
            if time.monotonic() > end:
                raise RuntimeError("wpool did not quit; screen:\n"
                                   + con.screen())
            time.sleep(0.05)
        time.sleep(0.05)
        with open(con.rcfile) as f:
            rc = f.read().strip()
        if rc != "0":
            raise RuntimeError("exit status %s, want 0" % rc)
    finally:
        con.close()


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    if shutil.which("tmux") is None:
        print("tmux is not installed")
        return 77
    wpool = os.path.abspath(argv[1])
    names = sorted(n for n in os.listdir(argv[2]) if n.endswith(".wpool"))
    ok = True
    tmp = tempfile.mkdtemp(prefix="wpool-lesson-")
    try:
        for name in names:
            start = time.monotonic()
            try:
                run_one(wpool, os.path.join(argv[2], name), tmp)
                print("console %-28s ok   %5.1fs"
                      % (name, time.monotonic() - start))
            except RuntimeError as e:
                print("console %-28s FAIL: %s" % (name, e))
                ok = False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
