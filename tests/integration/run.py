#!/usr/bin/env python3
"""run.py - novo's integration suite: real nginx, real novod, real HTTP.

    python3 tests/integration/run.py --novod build/novod [--only GROUP] [--keep]

Each group gets a temp dir with its own novod.ini, functions.ini, functions
folder and nginx.conf, and its own novod and nginx processes, stopped by PID
at its end. Prints `ok - name` / `not ok - name: why`, then `N passed, M failed`.
"""

import argparse
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import procs  # noqa: E402
import t_check  # noqa: E402
import t_errors  # noqa: E402
import t_hostile  # noqa: E402
import t_logs  # noqa: E402
import t_reload  # noqa: E402
import t_request  # noqa: E402
import t_stop  # noqa: E402
from report import Report, expect  # noqa: E402
from stack import ROOT, Stack, wait_for  # noqa: E402

MAIN_MODULES = (t_request, t_errors, t_logs, t_hostile)
TAKEN = {"echo"}  # section names the tests use for their own functions


class NotRun:
    """Stands in for Report when a stack did not start: every check fails, unrun."""

    def __init__(self, rep, why):
        self.rep, self.why = rep, why

    def check(self, name, fn, *args):
        self.rep.fail(name, "not run: " + self.why)


def conf_sections(path):
    """{section: [key lines]} of an ini file, `path =` lines left out."""
    out, cur = {}, None
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return out
    for line in lines:
        s = line.strip()
        m = re.match(r"\[([^\]]+)\]", s)
        if m:
            cur = out.setdefault(m.group(1), [])
        elif cur is not None and s and s[0] not in ";#" and not re.match(r"path\s*=", s):
            cur.append(s)
    return out


def examples_ini(st):
    """Sections for functions/*/ examples, with their keys from conf/functions.ini.

    An example whose name a test section takes (echo) is served as NAME-example.
    """
    conf = conf_sections(os.path.join(ROOT, "conf", "functions.ini"))
    names = t_request.examples()
    if "hello" not in names:
        names.append("hello")  # the probe: its absence is reported by start()
    text, st.example_sections = "", []
    for n in names:
        st.install_example(n)
        sec = n + "-example" if n in TAKEN else n
        st.example_sections.append(sec)
        keys = conf.get(n, []) + (["path = %s/%s" % (n, n)] if sec != n else [])
        text += "\n[%s]\n%s\n" % (sec, "\n".join(keys))
    return text


def t_rids(st):
    bad = [(p, r.status) for p, r in st.responses if not r.rid() and ".." not in p]
    expect(not bad, "%d of %d responses without X-Request-Id: %s" % (
        len(bad), len(st.responses), bad[:5]))


def t_sanitizer(st):
    rep = st.sanitizer_report()
    expect(rep is None, "novod's stderr/log has a sanitizer report: %s" % rep)


def t_nothing_left(st):
    wait_for(lambda: not st.leftovers(), 1.5)
    left = [procs.describe(p) for p in st.leftovers()]
    procs.kill_pids(st.leftovers())
    expect(not left, "processes of novod's tree alive 1.5 s after it stopped: %s" % left)


def with_stack(rep, novod, tag, setup, body, keep=False, rid_check=True):
    """Builds a stack with setup(st) -> functions.ini text, runs body(rep, st), tears down."""
    st = Stack(novod, tag)
    failed_before = rep.failed
    try:
        st.write_functions(setup(st))
        why = ("binaries not built: %s" % " ".join(st.missing)) if st.missing else None
        why = why or st.start()
        if why:
            rep.fail("[%s] stack starts (novod + nginx, /fn/hello 200)" % tag, why)
            body(NotRun(rep, "[%s] did not start" % tag), st)
        else:
            rep.ok("[%s] stack starts (novod + nginx, /fn/hello 200)" % tag)
            body(rep, st)
            if rid_check:
                rep.check("[%s] every novod response carried X-Request-Id" % tag, t_rids, st)
    finally:
        if st.novod is not None or st.nginx is not None:
            st.stop()
            rep.check("[%s] no novod process left after it stopped" % tag, t_nothing_left, st)
            rep.check("[%s] no ASan/UBSan report from novod" % tag, t_sanitizer, st)
        if keep:
            print("# kept %s" % st.dir, flush=True)
        else:
            if rep.failed > failed_before:
                print("# logs of [%s] kept in %s" % (tag, st.save_logs()), flush=True)
            st.cleanup()


def main_setup(st):
    text = examples_ini(st)
    for m in MAIN_MODULES:
        m.install(st)
        text += m.FUNCTIONS
    return text


def main_body(rep, st):
    for m in MAIN_MODULES:
        m.run(rep, st)


def reload_setup(st):
    t_reload.install(st)
    return t_reload.functions()


def stop_setup(st):
    t_stop.install(st)
    return t_stop.FUNCTIONS


def check_group(rep, novod, keep):
    st = Stack(novod, "check")
    try:
        t_check.run(rep, st)
    finally:
        if not keep:
            st.cleanup()


GROUPS = {
    "main": lambda rep, n, k: with_stack(rep, n, "main", main_setup, main_body, k),
    "reload": lambda rep, n, k: with_stack(rep, n, "reload", reload_setup, t_reload.run, k),
    "term": lambda rep, n, k: with_stack(rep, n, "term", stop_setup, lambda r, s: t_stop.run_graceful(
        r, s, signal.SIGTERM), k, rid_check=False),
    "quit": lambda rep, n, k: with_stack(rep, n, "quit", stop_setup, lambda r, s: t_stop.run_graceful(
        r, s, signal.SIGQUIT), k, rid_check=False),
    "int": lambda rep, n, k: with_stack(rep, n, "int", stop_setup, t_stop.run_fast, k, rid_check=False),
    "check": check_group,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--novod", default=os.path.join(ROOT, "build", "novod"))
    ap.add_argument("--only", action="append", choices=sorted(GROUPS),
                    help="run only this group (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dirs")
    args = ap.parse_args()
    rep = Report()
    print("# integration suite, novod = %s" % args.novod, flush=True)
    if not os.access(args.novod, os.X_OK):
        rep.fail("novod binary", "%s is not an executable file" % args.novod)
    else:
        for name in args.only or list(GROUPS):
            print("# group %s" % name, flush=True)
            try:
                GROUPS[name](rep, args.novod, args.keep)
            except Exception as e:  # a broken group must not hide the others
                rep.fail("group %s ran to its end" % name, "%s: %s" % (type(e).__name__, e))
    rep.summary()
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
