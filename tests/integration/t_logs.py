"""t_logs.py - novod's log (access lines, functions' stderr), status JSON, SIGUSR1."""

import json
import os
import signal
import time

import procs
from report import Failed, expect
from stack import wait_for

FUNCTIONS = """
[stderr]
"""
KEYS = ("requests", "responses", "timeouts", "violations", "warm", "busy",
        "queued", "p50_ms", "p99_ms")


def install(st):
    st.install("stderr", "stderr")


def lines_with(text, *needles):
    return [l for l in text.splitlines() if all(n in l for n in needles)]


def t_stderr_tagged(st):
    tag = "mark%d" % int(time.monotonic() * 1e6)
    r = st.get("/fn/stderr?" + tag)
    expect(r.status == 200, "/fn/stderr: %r" % r)
    rid = r.rid()
    expect(rid, "no X-Request-Id")
    text = st.wait_log(lambda t: len(lines_with(t, "NOVO-STDERR-LINE-2 " + tag)) > 0)
    expect(text, "function's stderr not in novod's log: %s" % st.tail_log(300))
    for n in (1, 2):
        ls = lines_with(text, "NOVO-STDERR-LINE-%d %s" % (n, tag))
        expect(ls, "stderr line %d missing" % n)
        expect("fn=stderr" in ls[0], "line not tagged fn=stderr: %r" % ls[0])
        expect("req=%s" % rid in ls[0], "line not tagged req=%s (the X-Request-Id): %r" % (rid, ls[0]))


def t_access_log(st):
    rs = [st.get("/fn/hello") for _ in range(3)] + [st.get("/fn/nosuch")]
    for r in rs:
        expect(r.rid(), "no X-Request-Id: %r" % r)

    def all_there(text):
        return all(lines_with(text, r.rid(), str(r.status)) for r in rs)
    text = st.wait_log(all_there)
    missing = [(r.rid(), r.status) for r in rs if not text or not lines_with(text or "", r.rid(), str(r.status))]
    expect(not missing, "no log line with request id and status for %s" % missing)
    for r in rs[:3]:
        expect(lines_with(text, r.rid(), "hello"), "access line of %s does not name the function" % r.rid())


def status_json(st):
    r = st.get("/novo-status")
    expect(r.status == 200, "GET /novo-status: %r" % r)
    try:
        return json.loads(r.body)
    except ValueError as e:
        raise Failed("status is not JSON (%s): %r" % (e, r.body[:200]))


def t_status_keys(st):
    js = status_json(st)
    expect(js.get("lkm") in ("active", "absent", "off"), "lkm: %r" % js.get("lkm"))
    fns = js.get("functions")
    expect(isinstance(fns, dict) and "hello" in fns, "functions.hello missing: %r" % str(js)[:300])
    h = fns["hello"]
    missing = [k for k in KEYS if k not in h]
    expect(not missing, "keys missing in functions.hello: %s" % missing)
    resp = h["responses"]
    expect(all(k in resp for k in ("2xx", "4xx", "5xx")), "responses: %r" % resp)
    nums = [h[k] for k in KEYS if k != "responses"] + [resp[k] for k in ("2xx", "4xx", "5xx")]
    expect(all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in nums),
           "non-numeric values: %r" % h)


def t_status_counts(st):
    before = status_json(st)["functions"]
    for _ in range(3):
        st.get("/fn/hello")
    st.get("/fn/crash")
    st.get("/fn/timeout?ms=2000")
    after = status_json(st)["functions"]

    def d(fn, *path):
        a, b = after[fn], before[fn]
        for k in path:
            a, b = a[k], b[k]
        return a - b
    expect(d("hello", "requests") >= 3, "hello requests +%s after 3" % d("hello", "requests"))
    expect(d("hello", "responses", "2xx") >= 3, "hello 2xx +%s" % d("hello", "responses", "2xx"))
    expect(d("crash", "responses", "5xx") >= 1, "crash 5xx +%s" % d("crash", "responses", "5xx"))
    expect(d("timeout", "timeouts") >= 1, "timeout timeouts +%s" % d("timeout", "timeouts"))
    expect(after["hello"]["p50_ms"] > 0 and after["hello"]["p99_ms"] >= after["hello"]["p50_ms"],
           "hello p50_ms=%r p99_ms=%r" % (after["hello"]["p50_ms"], after["hello"]["p99_ms"]))
    expect(after["hello"]["busy"] == 0, "hello busy=%r when idle" % after["hello"]["busy"])


def t_usr1(st):
    old = st.log + ".1"
    os.rename(st.log, old)
    st.signal(signal.SIGUSR1)
    expect(wait_for(lambda: os.path.exists(st.log), 2.0), "no new log file 2 s after SIGUSR1")
    r = st.get("/fn/hello")
    expect(r.status == 200 and r.rid(), "hello after USR1: %r" % r)
    got = wait_for(lambda: r.rid() in st.log_text(), 2.0)
    expect(got, "request %s not in the reopened log" % r.rid())
    expect(r.rid() not in st.read(old), "request %s went to the renamed (old) log" % r.rid())


def t_thread_names(st):
    """ps -L, top -H and perf tell novod's threads apart: one accept thread, one violation
    watcher, a pool thread per function, a thread per FastCGI connection."""
    expect(st.get("/fn/hello").status == 200, "hello failed")
    fns = json.loads(st.get("/novo-status", record=False).body)["functions"]
    names = procs.thread_names(st.novod.pid)
    count = {n: names.count(n) for n in set(names)}
    expect(count.get("novod-accept") == 1 and count.get("novod-watch") == 1,
           "threads %r: want one novod-accept and one novod-watch" % sorted(names))
    expect(count.get("novod-pool", 0) >= len(fns),
           "%d novod-pool threads for %d functions: %r" % (
               count.get("novod-pool", 0), len(fns), sorted(names)))
    expect(count.get("novod-req", 0) >= 1, "no novod-req thread: %r" % sorted(names))


def run(rep, st):
    rep.check("function stderr in novod's log tagged fn=<name> req=<id>", t_stderr_tagged, st)
    rep.check("access log line per request (request id, function, status)", t_access_log, st)
    rep.check("status JSON at status_path with SPEC's keys", t_status_keys, st)
    rep.check("status counts change (requests, 2xx, 5xx, timeouts, p50/p99)", t_status_counts, st)
    rep.check("SIGUSR1 reopens the log", t_usr1, st)
    rep.check("novod's threads named by role (novod-accept, -watch, -pool, -req)", t_thread_names, st)
