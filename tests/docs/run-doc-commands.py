#!/usr/bin/env python3
"""Every command in the docs runs as written.

  run-doc-commands.py --wpool BIN --build DIR --source DIR --meson BIN
                      [--sanitize OPT] [FILE.md ...]

Reads README.md, docs/tutorial.md and docs/embedding.md (or the files
given) and checks each fenced code block by what it is.  A block may be
marked by an HTML comment on the line just before its fence:

  <!-- test -->              run it; it must exit 0
  <!-- test exit=3 -->       run it; it must exit 3
  <!-- test installed -->    run it against libwpool installed by `meson
                             install` (here: into a scratch --destdir)
  <!-- test needs=svg -->    run it once `timeline --svg` exists; until
                             then it is reported as SKIPPED
  <!-- from PATH -->         (wpool, c) every line of the block is part of a
                             line of PATH (for wpool in the same order):
                             the excerpt cannot drift from the file
  <!-- no-test: REASON -->   not run, and the reason is printed

Blocks without a mark:

  sh     `sh scripts/run` and `sh scripts/test` are the quick start
         (README only): not run (they install packages), but they must be
         exactly that and the scripts must exist.  A block whose lines
         are all `wpool [--step|--headless] --script docs/demos/NN-x.wpool`
         is covered by the docs-demos test: the script must exist.
         Any other sh block must be marked: the test fails on it.
  wpool  must be marked (from, test or no-test).
  c      must be marked (from or no-test).
  other  (text, captures) not checked.

sh blocks run with `sh -e`, one shell per block, stdin empty, in a scratch
directory that holds the source tree's docs/, examples/, scripts/, core/
and build/plain (the build under test), so `./build/plain/src/wpool`,
`docs/demos/...` and `examples/...` mean what they say.  `wpool` on PATH is
the build's binary; `cc` adds the build's sanitizer flags.

Relative links of the files are checked too: each must name a file or
directory of the tree.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

DOCS = ["README.md", "docs/tutorial.md", "docs/embedding.md"]
QUICK_START = ["sh scripts/run", "sh scripts/test"]
RUN_TIMEOUT = 300
MARK = re.compile(r"^<!--\s*(test|from|no-test)\b:?\s*(.*?)\s*-->$")
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
DEMO_RUN = re.compile(
    r"^wpool (?:--step |--headless )?--script (docs/demos/\d\d-[\w-]+\.wpool)$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


class Block:
    def __init__(self, doc, line, lang, mark, arg, text):
        self.doc, self.line, self.lang = doc, line, lang
        self.mark, self.arg, self.text = mark, arg, text

    def where(self):
        return "%s:%d (%s)" % (self.doc, self.line, self.lang or "plain")


def blocks(doc, text):
    """The fenced blocks of a Markdown text, with the mark before each."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        mm = MARK.match(lines[j].strip()) if j >= 0 else None
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        out.append(Block(doc, start, lang, mm.group(1) if mm else None,
                         mm.group(2) if mm else "", "\n".join(body)))
    return out


def code_lines(text, lang):
    """Lines of an excerpt, without blanks, comments and indentation."""
    out = []
    for line in text.splitlines():
        if lang == "c":
            line = re.sub(r"/\*.*?\*/", "", line)
            line = re.sub(r"//.*$", "", line)
        else:
            line = re.sub(r"(^|\s)#.*$", "", line)
        line = " ".join(line.split())
        if line:
            out.append(line)
    return out


def check_from(block, source):
    """Every line of the excerpt is part of a line of the file: for a
    script excerpt in the same order, for C in any order (an excerpt may
    show main() before the helpers it calls)."""
    path = os.path.join(source, block.arg)
    if not os.path.isfile(path):
        return "names %s, which does not exist" % block.arg
    with open(path, encoding="utf-8") as f:
        have = code_lines(f.read(), block.lang)
    k = 0
    for want in code_lines(block.text, block.lang):
        if block.lang == "c":
            k = 0
        while k < len(have) and want not in have[k]:
            k += 1
        if k == len(have):
            return "line %r is not in %s%s" % (
                want, block.arg,
                "" if block.lang == "c" else " (or not in this order)")
        k += 1
    return None


class Runner:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="wpool-doc-")
        self.work = os.path.join(self.tmp, "work")
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(os.path.join(self.work, "build"))
        os.makedirs(self.bin)
        for d in ("docs", "examples", "scripts", "core"):
            os.symlink(os.path.join(args.source, d),
                       os.path.join(self.work, d))
        os.symlink(os.path.abspath(args.build),
                   os.path.join(self.work, "build", "plain"))
        os.symlink(os.path.abspath(args.wpool),
                   os.path.join(self.bin, "wpool"))
        flags = ""
        if args.sanitize and args.sanitize != "none":
            flags = "-fsanitize=%s " % args.sanitize
        with open(os.path.join(self.bin, "cc"), "w") as f:
            f.write('#!/bin/sh\nexec %s %s"$@"\n'
                    % (shutil.which("cc") or "/usr/bin/cc", flags))
        os.chmod(os.path.join(self.bin, "cc"), 0o755)
        self.env = dict(os.environ, LC_ALL="C.UTF-8",
                        PATH=self.bin + os.pathsep + os.environ["PATH"])
        self.env.pop("NO_COLOR", None)
        self.installed = None
        self.svg = None

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def install(self):
        """libwpool installed into a scratch --destdir, once."""
        if self.installed is not None:
            return self.installed
        stage = os.path.join(self.tmp, "stage")
        p = subprocess.run([self.args.meson, "install", "-C",
                            self.args.build, "--destdir", stage,
                            "--no-rebuild", "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        pcs = glob.glob(os.path.join(stage, "**", "wpool.pc"),
                        recursive=True)
        libs = glob.glob(os.path.join(stage, "**", "libwpool.so*"),
                         recursive=True)
        if p.returncode != 0 or not pcs or not libs:
            print("meson install --destdir failed:",
                  p.stdout.decode(errors="replace"))
            self.installed = False
            return False
        env = dict(self.env, PKG_CONFIG_SYSROOT_DIR=stage,
                   PKG_CONFIG_PATH=os.path.dirname(pcs[0]),
                   LD_LIBRARY_PATH=os.path.dirname(libs[0]))
        env["PATH"] = (os.path.join(stage, "usr", "local", "bin")
                       + os.pathsep + env["PATH"])
        self.installed = env
        return env

    def has_svg(self):
        if self.svg is None:
            p = subprocess.run([self.args.wpool, "--headless", "help",
                                "timeline"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE)
            self.svg = b"--svg" in p.stdout
        return self.svg

    def run(self, block):
        """None when the block ran as its mark says, False when it was
        skipped, else what went wrong."""
        opts = dict(o.split("=", 1) if "=" in o else (o, "")
                    for o in block.arg.split())
        env = self.env
        if "installed" in opts:
            env = self.install()
            if not env:
                return "needs the installed library; meson install failed"
        if opts.get("needs") == "svg" and not self.has_svg():
            print("SKIPPED  %s: `timeline --svg` is not in this wpool yet"
                  % block.where())
            return False
        want = int(opts.get("exit", "0"))
        try:
            p = subprocess.run(["sh", "-ec", block.text], cwd=self.work,
                               env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               timeout=RUN_TIMEOUT)
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc = "timeout"
            out = (e.stdout or b"").decode("utf-8", "replace")
        if re.search(r"WARNING: ThreadSanitizer|ERROR: AddressSanitizer|"
                     r"runtime error:|ERROR: LeakSanitizer", out):
            return "a sanitizer reported a problem:\n" + out
        if rc != want:
            return "exit %s, want %d; output:\n%s" % (rc, want, out)
        return None


def check_links(doc, text, source):
    bad = []
    base = os.path.dirname(os.path.join(source, doc))
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        if not os.path.exists(os.path.normpath(os.path.join(base, path))):
            bad.append("%s: link to %s: no such file" % (doc, target))
    return bad


def check(block, runner, source, seen_quick):
    """None if the block is fine, else the problem."""
    lang, text = block.lang, block.text.strip()
    if block.mark == "no-test":
        if not block.arg:
            return "no-test needs a reason"
        print("not run  %s: %s" % (block.where(), block.arg))
        return None
    if block.mark == "from":
        if lang not in ("c", "wpool"):
            return "'from' is for c and wpool excerpts"
        return check_from(block, source)
    if lang == "sh" and block.mark is None:
        if text in QUICK_START:
            if block.doc != "README.md":
                return "the quick-start commands belong to README.md"
            script = text.split()[1]
            if not os.access(os.path.join(source, script), os.R_OK):
                return "%s does not exist" % script
            seen_quick.add(text)
            print("quick    %s: %s (not run: it installs packages)"
                  % (block.where(), text))
            return None
        lines = [l.strip() for l in text.splitlines() if l.strip()]
        demos = [DEMO_RUN.match(l) for l in lines]
        if lines and all(demos):
            for m in demos:
                if not os.path.isfile(os.path.join(source, m.group(1))):
                    return "%s does not exist" % m.group(1)
            print("covered  %s: %s (docs-demos runs it)"
                  % (block.where(), ", ".join(m.group(1) for m in demos)))
            return None
        return "an unmarked sh block: mark it <!-- test --> or " \
               "<!-- no-test: why -->"
    if block.mark == "test":
        if lang == "wpool":
            path = os.path.join(runner.tmp, "block.wpool")
            with open(path, "w", encoding="utf-8") as f:
                f.write(block.text + "\n")
            block = Block(block.doc, block.line, "sh", "test", block.arg,
                          "wpool --headless --script " + path)
        elif lang != "sh":
            return "only sh and wpool blocks can run"
        problem = runner.run(block)
        if problem is None:
            print("ran      %s" % block.where())
        return problem or None
    if lang in ("wpool", "c"):
        return "an unmarked %s block: mark it <!-- from PATH --> or " \
               "<!-- no-test: why -->" % lang
    return None


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--wpool", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--meson", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("docs", nargs="*", default=DOCS)
    args = ap.parse_args(argv[1:])
    args.wpool = os.path.abspath(args.wpool)
    args.source = os.path.abspath(args.source)
    args.build = os.path.abspath(args.build)
    runner = Runner(args)
    failures, seen_quick = [], set()
    try:
        for doc in args.docs:
            with open(os.path.join(args.source, doc), encoding="utf-8") as f:
                text = f.read()
            failures += check_links(doc, text, args.source)
            for block in blocks(doc, text):
                problem = check(block, runner, args.source, seen_quick)
                if problem:
                    failures.append("%s: %s" % (block.where(), problem))
    finally:
        runner.close()
    if "README.md" in args.docs:
        for q in QUICK_START:
            if q not in seen_quick:
                failures.append("README.md: the quick-start block `%s` is "
                                "missing or changed" % q)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
