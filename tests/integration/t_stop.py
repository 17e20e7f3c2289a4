"""t_stop.py - SIGTERM/SIGQUIT finish what is in flight; SIGINT stops at once."""

import signal
import subprocess
import threading
import time

import fcgi
import procs
from report import expect
from stack import wait_for

FUNCTIONS = """
[hello]

[slow]
syscalls = @cgi nanosleep clock_nanosleep
"""


def install(st):
    st.install("hello", "hello")
    st.install("slow", "slow")


def in_flight(st, ms, token):
    """Starts a slow request in a thread; returns (thread, results list)."""
    res = []
    th = threading.Thread(target=lambda: res.append(
        st.get("/fn/slow?ms=%d&token=%s" % (ms, token), timeout=30)))
    th.start()
    wait_for(lambda: procs.by_environ(token.encode()), 2.0, 0.02)
    return th, res


def exit_code(st, timeout):
    try:
        return st.novod.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def t_graceful(st, sig):
    tree = procs.descendants(st.novod.pid)
    th, res = in_flight(st, 1500, "graceful%d" % sig)
    time.sleep(0.3)
    st.signal(sig)
    th.join(30)
    expect(res, "no answer to the in-flight request")
    r = res[0]
    expect(r.status == 200 and b"slept 1500" in r.body and not r.incomplete,
           "in-flight request not completed: %r" % r)
    rc = exit_code(st, 10)
    expect(rc is not None, "novod still running 10 s after %s" % signal.Signals(sig).name)
    expect(rc == 0, "novod exited %s after %s: %s" % (rc, signal.Signals(sig).name, st.tail_stderr(300)))
    left = wait_for(lambda: not [p for p in tree if procs.alive(p)], 2.0)
    expect(left, "novod's processes outlive it: %s" % [p for p in tree if procs.alive(p)])


def t_fast(st):
    tree = procs.descendants(st.novod.pid)
    token = "fast%d" % int(time.monotonic() * 1e6)
    th, res = in_flight(st, 5000, token)
    fn = procs.by_environ(token.encode())
    expect(fn, "the slow function never showed up running")
    t0 = time.monotonic()
    st.signal(signal.SIGINT)
    rc = exit_code(st, 1.0)
    dt = time.monotonic() - t0
    if rc is None:
        rc = exit_code(st, 10)
    th.join(30)
    expect(rc is not None, "novod still running 11 s after SIGINT")
    expect(dt <= 1.0, "novod took %.2f s to exit after SIGINT" % dt)
    gone = wait_for(lambda: not [p for p in fn + tree if procs.alive(p)], 1.0)
    expect(gone, "function processes alive after SIGINT: %s" % [p for p in fn + tree if procs.alive(p)])
    expect(res and res[0].status != 200 or (res and res[0].incomplete),
           "the in-flight request still succeeded: %r" % (res[:1],))


def t_last_record(st, sig):
    """A kept-alive connection's last answer in a graceful stop: END_REQUEST, one empty
    FCGI_GET_VALUES_RESULT after it (nginx reuses a connection only when END_REQUEST
    ends what it read), then the close."""
    token = "last%d" % int(time.monotonic() * 1e6)
    with fcgi.connect(st.sock, 10) as s:
        s.sendall(fcgi.request_bytes("/fn/slow", "ms=600&token=" + token, keep=True))
        expect(wait_for(lambda: procs.by_environ(token.encode()), 2.0, 0.02), "slow never ran")
        st.signal(sig)
        data = fcgi.recv_until_close(s, 10)
    recs, rest = fcgi.records(data)
    types = [t for t, _, _ in recs]
    expect(fcgi.END_REQUEST in types, "no END_REQUEST: %r" % recs)
    after = recs[types.index(fcgi.END_REQUEST) + 1:]
    expect(after == [(fcgi.GET_VALUES_RESULT, 0, b"")] and not rest,
           "after END_REQUEST: %r and %d stray bytes, before the close" % (after, len(rest)))
    expect(exit_code(st, 10) == 0, "novod did not exit 0")


def t_idle_nudge(st, sig):
    """Idle kept-alive connections in a graceful stop: each gets an empty FCGI_STDERR for
    request 1 at once (nginx drops a cached connection that gets data, and reads it as the
    start of a request's stderr if it had just sent one); one that closes is let go, one
    that sends a request gets its answer, then the close."""
    conns = [fcgi.connect(st.sock, 10) for _ in range(2)]
    try:
        for c in conns:  # one whole request each: kept alive, then idle
            c.sendall(fcgi.request_bytes("/fn/hello", keep=True))
            _, _, ended = fcgi.read_response(c, time.monotonic() + 5)
            expect(ended, "no answer before the stop")
        t0 = time.monotonic()
        st.signal(sig)
        for c in conns:
            got = b""
            while len(got) < 8 and time.monotonic() - t0 < 2:
                got += c.recv(8 - len(got))
            expect(fcgi.records(got) == ([(fcgi.STDERR, 1, b"")], b""), "nudge: %r" % got)
        expect(time.monotonic() - t0 < 0.4, "nudged after %.2f s" % (time.monotonic() - t0))
        conns[0].close()  # as nginx drops a cached connection
        c = conns[1]      # as nginx sending a request as the stop began
        c.sendall(fcgi.request_bytes("/fn/hello", keep=True))
        recs, rest = fcgi.records(fcgi.recv_until_close(c, 5))
        types = [t for t, _, _ in recs]
        expect(fcgi.STDOUT in types and fcgi.END_REQUEST in types and not rest,
               "the request sent after the nudge: %r" % recs)
    finally:
        for c in conns:
            c.close()
    expect(exit_code(st, 10) == 0, "novod did not exit 0")


def t_restart(st):
    """A novod started at once on the same socket path binds it."""
    expect(not st.novod_alive(), "the first novod is still running")
    why = st.start_novod()
    expect(why is None, "restart on the same socket: %s" % why)
    ok = wait_for(lambda: st.get("/fn/hello").status == 200, 5.0, 0.05)
    expect(ok, "hello after the restart: %r; log: %s" % (st.get("/fn/hello"), st.tail_log(300)))


def run_graceful(rep, st, sig):
    rep.check("%s with a slow request in flight: it completes 200, novod exits 0, no process left"
              % signal.Signals(sig).name, t_graceful, st, sig)
    rep.check("novod restarted at once on the same socket path serves", t_restart, st)
    rep.check("%s: a kept-alive connection's last answer ends END_REQUEST, a record nginx "
              "does not keep the connection after, the close" % signal.Signals(sig).name,
              t_last_record, st, sig)
    rep.check("novod restarted at once on the same socket path serves", t_restart, st)
    rep.check("%s: idle kept-alive connections are nudged (empty stderr record), then closed or "
              "served" % signal.Signals(sig).name, t_idle_nudge, st, sig)
    rep.check("novod restarted at once on the same socket path serves", t_restart, st)


def run_fast(rep, st):
    rep.check("SIGINT: exits within 1 s, function processes killed, request cut", t_fast, st)
    rep.check("novod restarted at once after SIGINT (stale socket file) serves", t_restart, st)
