"""contained.py - the confined side: what novod's answer and the system show.

check(st, ctx, att) sends the attack through nginx and returns a one-line
detail, or raises Failed saying what escaped.
"""

import json
import os
import re
import select
import time

import procs
from report import expect
from stack import wait_for

import control


def status_violations(st, name):
    r = st.get("/novo-status", record=False)
    expect(r.status == 200, "GET /novo-status: %r" % r)
    return json.loads(r.body)["functions"][name]["violations"]


def log_line(st, *needles):
    text = st.wait_log(lambda t: any(all(n in l for n in needles) for l in t.splitlines()))
    expect(text, "no log line with %s; log ends: %s" % (" ".join(needles), st.tail_log(400)))
    return [l for l in text.splitlines() if all(n in l for n in needles)][-1]


def fn_procs(st, name):
    """Live processes running this function's binary (or anything in its folder)."""
    return [p for p in procs.by_exe_prefix(os.path.join(st.fdir, name) + "/") if procs.alive(p)]


def nothing_left(st, name):
    wait_for(lambda: not fn_procs(st, name), 1.5)
    left = [procs.describe(p) for p in fn_procs(st, name)]
    expect(not left, "processes of %s alive after its request: %s" % (name, left))


def blocked(st, att, r):
    expect(r.status == 200, "expected 200 and the program's BLOCKED line, got %r; log: %s" % (
        r, st.tail_log(300)))
    word, detail = control.result_line(r.body)
    expect(word == "BLOCKED", "the attack worked through novod: %s %s" % (word, detail))
    return detail


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rindex(")") + 2]
    except (OSError, ValueError):
        return "gone"


def targets_intact(st, ctx):
    """The decoy (nobody, like the function), novod, nginx: alive, not stopped."""
    for what, pid in (("decoy", ctx.decoy.pid), ("novod", st.novod.pid), ("nginx", st.nginx.pid)):
        s = state(pid)
        expect(s not in ("gone", "Z", "T", "t", "X"), "%s (pid %d) is %s" % (what, pid, s))


def beats_stop(path, what):
    time.sleep(0.4)
    n1 = len(control.beats(path))
    time.sleep(1.0)
    n2 = len(control.beats(path))
    expect(n2 == n1, "%s: %d beats in the second after the request ended: %s" % (
        what, n2 - n1, control.beats(path)[-2:]))
    return n1


def check(st, ctx, att):
    before = status_violations(st, att.name) if att.expect == "violation" else 0
    r = st.get("/fn/%s?%s" % (att.name, ctx.fmt(att.query, att.name)), timeout=20)
    env = ctx.env(att)
    if att.expect == "blocked":
        detail = blocked(st, att, r)
    elif att.expect == "violation":
        expect(r.status == 502, "expected 502 (killed: forbidden syscall), got %r" % r)
        expect(b"forbidden syscall %s" % att.syscall.encode() in r.body,
               "502 body does not name %s: %r" % (att.syscall, r.body))
        line = log_line(st, "fn=%s " % att.name, "req=%s " % r.rid(),
                        "forbidden syscall %s" % att.syscall)
        expect(re.search(r"forbidden syscall %s\b" % att.syscall, line), "log: %r" % line)
        after = wait_for(lambda: status_violations(st, att.name) > before, 2, 0.1)
        expect(after, "status violations of %s stayed %d" % (att.name, before))
        detail = "502, log: %s" % line[-160:]
    elif att.expect == "daemon":
        expect(r.status == 200 and b"SPAWNED" in r.body, "expected 200 SPAWNED, got %r" % r)
        n = beats_stop(env["TARGET"], "daemon")
        expect(n > 0, "the daemon never beat: it did not run, the test proves nothing "
                      "(%.1f s; its answer: %r)" % (r.elapsed, r.body.strip()))
        detail = "200 SPAWNED, then %d beats and none after the request" % n
    elif att.expect == "timeout":
        expect(r.status == 504, "expected 504, got %r" % r)
        expect(r.elapsed < 5, "504 came after %.1f s (timeout_ms = 1000)" % r.elapsed)
        line = log_line(st, "fn=%s " % att.name, "req=%s " % r.rid())
        n = beats_stop(env["TARGET"], "sigterm")
        detail = "504 after %.1f s, %d beats, none after; log: %s" % (
            r.elapsed, n, line[-160:])
    else:
        raise ValueError(att.expect)
    extra(st, ctx, att, env)
    nothing_left(st, att.name)
    return detail


def extra(st, ctx, att, env):
    """What the attack would have changed outside novod's answer."""
    if att.name == "writeout" and os.path.exists(env["TARGET"]):
        os.unlink(env["TARGET"])
        expect(False, "%s was created by the function (removed now)" % env["TARGET"])
    if att.name == "connect":
        r, _, _ = select.select([ctx.listener], [], [], 0.3)
        if r:
            ctx.listener.accept()[0].close()
        expect(not r, "a connection reached the listener on port %d" % ctx.port)
    if att.name.startswith(("killall", "ptrace")):
        targets_intact(st, ctx)
