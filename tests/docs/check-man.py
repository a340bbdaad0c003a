#!/usr/bin/env python3
"""docs/wpool.1 renders cleanly and says what the program does.

  check-man.py WPOOL MANPAGE

- `groff -man -Tutf8 -ww -z` prints no warning (exit 77, skipped, when
  groff is not installed: scripts/deps.sh installs groff-base for the
  test run, but it is not one of wpool's build dependencies);
- every section a man page of a program should have is there;
- every long option of `wpool --help` and every command of `wpool help`
  appears in the page;
- every example (.EX ... .EE) runs from the source tree, exiting 0 or as a
  '.\\" exit: N' comment line just before it says.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "KEYS",
            "FILES", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]


def unroff(s):
    """The text of a roff line, as far as these checks need it."""
    s = s.replace("\\-", "-").replace("\\(aq", "'").replace("\\(dq", '"')
    s = s.replace("\\&", "").replace("\\e", "\\")
    return re.sub(r"\\f[BIRP]", "", s)


def examples(lines):
    """(expected exit, command) for each .EX block."""
    out, code, block = [], 0, None
    for line in lines:
        m = re.match(r'^\.\\"\s*exit:\s*(\d+)', line)
        if m:
            code = int(m.group(1))
        elif line.startswith(".EX"):
            block = []
        elif line.startswith(".EE"):
            out.append((code, "\n".join(block)))
            block, code = None, 0
        elif block is not None:
            block.append(unroff(line))
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    wpool, page = os.path.abspath(argv[1]), argv[2]
    source = os.path.dirname(os.path.dirname(os.path.abspath(page)))
    ok = True
    with open(page, encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines()
    plain = unroff(text)

    for sec in SECTIONS:
        if not re.search(r'^\.SH "?%s"?$' % re.escape(sec), text, re.M):
            print("missing section", sec)
            ok = False

    usage = subprocess.run([wpool, "--help"], stdout=subprocess.PIPE,
                           check=True).stdout.decode()
    for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage))):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), plain):
            print("option %s of wpool --help is not in the man page" % opt)
            ok = False
    helptext = subprocess.run([wpool, "--headless", "help"],
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              check=True).stdout.decode()
    for cmd in re.findall(r"^  ([a-z][a-z-]*)  ", helptext, re.M):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(cmd), plain):
            print("command %s of wpool help is not in the man page" % cmd)
            ok = False

    if shutil.which("groff") is None:
        print("groff is not installed: rendering not checked")
        groff_ok = None
    else:
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        groff_ok = p.returncode == 0 and not p.stderr.strip()
        if not groff_ok:
            print("groff -ww:", p.stderr.decode(errors="replace"))
            ok = False

    bindir = tempfile.mkdtemp(prefix="wpool-man-")
    try:
        os.symlink(wpool, os.path.join(bindir, "wpool"))
        env = dict(os.environ, LC_ALL="C.UTF-8",
                   PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        for code, cmd in examples(lines):
            p = subprocess.run(["sh", "-c", cmd], cwd=source, env=env,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=120)
            status = "ok" if p.returncode == code else "FAIL"
            print("example %-4s exit %d  %s" % (status, p.returncode, cmd))
            if p.returncode != code:
                print("  want exit %d; output:\n%s"
                      % (code, p.stdout.decode(errors="replace")))
                ok = False
    finally:
        shutil.rmtree(bindir)

    if not ok:
        return 1
    return 77 if groff_ok is None else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
