"""t_check.py - `novod -t -c FILE`: exit 0 on a good config, file:line: on bad ones."""

import os
import re
import subprocess

from report import expect

GOOD = "[hello]\nwarm = 1\n"
# (what, novod.ini extra lines, functions.ini, file, line or lines accepted)
BAD = [
    ("unknown key", "", "[hello]\nwarm = 1\nbogus_key = 1\n", "functions.ini", {3}),
    ("bad value (warm = lots)", "", "[hello]\n\nwarm = lots\n", "functions.ini", {3}),
    ("bad value (timeout_ms = -5)", "", "[hello]\ntimeout_ms = -5\n", "functions.ini", {2}),
    ("bad value (network = perhaps)", "", "[hello]\nnetwork = perhaps\n", "functions.ini", {2}),
    ("bad section name (space, !)", "", "[hello]\n\n[bad name!]\npath = hello/hello\n",
     "functions.ini", {3}),
    ("bad section name (65 chars)", "", "[hello]\n[%s]\npath = hello/hello\n" % ("a" * 65),
     "functions.ini", {2}),
    ("missing binary (default path)", "", "[hello]\n[ghost]\n", "functions.ini", {2}),
    ("missing binary (path =)", "", "[hello]\n\n[ghost]\npath = nothere/nothere\n",
     "functions.ini", {3, 4}),
    ("non-executable binary", "", "[hello]\n[noexec]\n", "functions.ini", {2}),
    ("unknown syscall", "", "[hello]\nsyscalls = @cgi read notasyscall\n", "functions.ini", {2}),
    ("unknown group", "", "[hello]\nwarm = 1\nsyscalls = @nosuchgroup\n", "functions.ini", {3}),
    ("unknown key in novod.ini", "frobnicate = 1\n", GOOD, "novod.ini", {8}),
    ("bad value in novod.ini (sandbox = maybe)", "sandbox = maybe\n", GOOD, "novod.ini", {8}),
    ("bad value in novod.ini ([lkm] mode = sometimes)", "\n[lkm]\nmode = sometimes\n", GOOD,
     "novod.ini", {10}),
]


def novod_t(st, timeout=10):
    p = subprocess.run([st.novod_bin, "-t", "-c", st.ini], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def setup(st):
    st.install("hello", "hello")
    d = os.path.join(st.fdir, "noexec")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "noexec"), "w") as f:
        f.write("#!/bin/sh\necho no\n")
    os.chmod(os.path.join(d, "noexec"), 0o644)


def t_good(st):
    st.write_novod_ini()
    st.write_functions(GOOD)
    rc, out = novod_t(st)
    expect(rc == 0, "exit %s on a good config: %s" % (rc, out[-300:]))


def t_bad(st, extra, fini, fname, lines):
    st.write_novod_ini(extra)
    st.write_functions(fini)
    rc, out = novod_t(st)
    expect(rc != 0, "exit 0 on a bad config; output: %r" % out[-200:])
    m = re.search(r"%s:(\d+): ?\S" % re.escape(fname), out)
    expect(m, "no `%s:LINE: message` in the output: %r" % (fname, out[-300:]))
    expect(int(m.group(1)) in lines, "names line %s, expected %s: %r" % (
        m.group(1), " or ".join(map(str, sorted(lines))), out[-300:]))


def run(rep, st):
    setup(st)
    rep.check("novod -t on a good config exits 0", t_good, st)
    for what, extra, fini, fname, lines in BAD:
        rep.check("novod -t: %s -> non-zero, %s:%s:" % (what, fname, "|".join(map(str, sorted(lines)))),
                  t_bad, st, extra, fini, fname, lines)
