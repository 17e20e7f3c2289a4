"""t_errors.py - every row of SPEC's status table."""

import os
import threading
import time

import fcgi
import procs
from report import expect
from stack import find_bin, wait_for
from t_request import pattern

SLEEPY = "@cgi nanosleep clock_nanosleep"
FORKY = ("@cgi nanosleep clock_nanosleep clone clone3 fork vfork wait4 setsid "
         "rt_sigaction rt_sigprocmask getpid kill")

FUNCTIONS = """
[crash]

[badheader]

[noheader]

[bigcap]
path = big/big
syscalls = %(s)s
max_output_kb = 1024

[tiny]
path = big/big
max_output_kb = 1

[slow]
syscalls = %(s)s

[timeout]
path = slow/slow
syscalls = %(s)s
timeout_ms = 500

[forker]
syscalls = %(f)s
timeout_ms = 1500

[cpuhog]
path = burn/burn
cpu_ms = 300
timeout_ms = 20000

[memhog]
path = burn/burn
memory_mb = 32

[forbidden]

[narrow]
path = forbidden/forbidden
syscalls = write exit_group
warm = 2

[queue]
path = slow/slow
syscalls = %(s)s
warm = 1
max_concurrency = 1
queue = 1
""" % {"s": SLEEPY, "f": FORKY}


def install(st):
    for n in ("crash", "badheader", "noheader", "big", "slow", "forker", "burn", "forbidden"):
        st.install(n, n)


def error_reply(r, status, what):
    """status, X-Request-Id (so novod answered, not nginx) and a plain-text reason."""
    expect(r.status == status, "%s: expected %d, got %r" % (what, status, r))
    expect(r.rid(), "%s: %d without X-Request-Id (nginx's own error page?)" % (what, status))
    expect(r.body.strip() and b"<html" not in r.body.lower(),
           "%s: body is not a short plain-text reason: %r" % (what, r.body[:200]))


def t_404_unknown(st):
    error_reply(st.get("/fn/nosuchfunction"), 404, "/fn/nosuchfunction")
    error_reply(st.get("/fn/nosuchfunction/with/path"), 404, "/fn/nosuchfunction/with/path")


def t_404_invalid(st):
    for path in ("/fn/a%2fb", "/fn/" + "x" * 65, "/fn/he.llo", "/fn/hello%20", "/fn/"):
        error_reply(st.get(path), 404, path)
    # nginx merges /fn/../x itself; whoever answers, it must be 404
    r = st.get("/fn/../hello")
    expect(r.status == 404, "/fn/../hello: %r" % r)


def t_404_raw(st):
    """Straight to novod: names nginx would have cleaned up."""
    for uri in ("/fn/../hello", "/fn/./hello", "/fn/hello/../../etc", "/fn//hello",
                "/fn/" + "y" * 65, "/fn/a/../hello"):
        status, headers, body, ended = fcgi.request(st.sock, uri)
        name_ok = uri in ("/fn/hello/../../etc",)  # name is "hello": served or 404
        if name_ok:
            expect(status in (200, 404), "%s: %r %r" % (uri, status, body[:100]))
        else:
            expect(status == 404, "%s straight to novod: status %r, body %r" % (uri, status, body[:100]))
        expect(ended, "%s: no FCGI_END_REQUEST" % uri)


def t_502(st, path, what):
    error_reply(st.get(path), 502, what)


def unconfined(name, query):
    """The same test binary run as a plain process: the negative control."""
    import subprocess
    env = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "GATEWAY_INTERFACE": "CGI/1.1"}
    p = subprocess.run([find_bin(name)], env=env, capture_output=True, timeout=30)
    return p.stdout


def t_forbidden(st):
    """ptrace is stopped by the whitelist, and succeeds unconfined."""
    error_reply(st.get("/fn/forbidden"), 502, "forbidden")
    out = unconfined("forbidden", "")
    expect(b"ptrace returned 0 " in out, "control: unconfined ptrace did not succeed: %r" % out)


def t_narrow(st):
    """A whitelist with none of the spawner's own calls: the spawner and its
    children make them through the gate (its key), the function cannot."""
    import json
    for _ in range(3):
        r = st.get("/fn/narrow")
        error_reply(r, 502, "narrow")
        expect(b"forbidden syscall" in r.body, "narrow: %r" % r.body)

    def status():
        return json.loads(st.get("/novo-status", record=False).body)["functions"]["narrow"]

    # the replacements are asked for after each answer: they come shortly
    wait_for(lambda: status()["pool"]["spawned"] >= 5 and status()["warm"] >= 2, 3, 0.1)
    fn = status()
    expect(fn["violations"] >= 3 and fn["pool"]["spawn_failures"] == 0
           and fn["pool"]["spawned"] >= 5 and fn["warm"] >= 2,
           "narrow: the spawner should keep making children: %r" % fn)
    out = unconfined("forbidden", "")
    expect(b"ptrace returned 0 " in out, "control: unconfined run failed: %r" % out)


def t_cpu(st):
    r = st.get("/fn/cpuhog?cpu=1", timeout=40)
    error_reply(r, 502, "spinning at cpu_ms=300 (timeout_ms=20000)")
    expect(r.elapsed < 15, "502 only after %.1f s" % r.elapsed)


def t_mem(st):
    out = unconfined("burn", "mem=256")
    expect(b"allocated 256" in out, "control: 256 MiB unconfined failed: %r" % out)
    r = st.get("/fn/memhog?mem=256", timeout=20)
    expect(r.status == 502 or (r.status == 200 and b"malloc failed" in r.body),
           "256 MiB at memory_mb=32: %r" % r)
    if r.status == 502:
        error_reply(r, 502, "256 MiB at memory_mb=32")
    ok = st.get("/fn/memhog?mem=8", timeout=20)
    expect(ok.status == 200 and b"allocated 8" in ok.body, "8 MiB at memory_mb=32: %r" % ok)


def t_abort(st):
    """768 KiB, a pause (a streaming novod has sent them by then), then past 1 MiB."""
    n = 2 * 1024 * 1024
    r = st.get("/fn/bigcap?n=%d&after=786432&pause=400" % n, timeout=30)
    expect(r.status == 200, "expected the response to start (200) after 768 KiB "
           "streamed, got %r" % r)
    expect(r.incomplete or r.error,
           "transfer not aborted: %d bytes delivered as complete" % len(r.body))
    expect(len(r.body) < n, "all %d bytes delivered" % len(r.body))
    expect(r.body == pattern(len(r.body)), "the part delivered is not the function's output")


def t_504(st):
    t0 = time.monotonic()
    r = st.get("/fn/timeout?ms=5000")
    error_reply(r, 504, "slow 5 s at timeout_ms=500")
    expect(time.monotonic() - t0 < 5, "504 took %.1f s" % (time.monotonic() - t0))


def t_504_tree(st):
    token = "tok%d" % int(time.monotonic() * 1e6)
    seen, res = [], []
    th = threading.Thread(target=lambda: res.append(st.get("/fn/forker?ms=30000&token=" + token)))
    th.start()
    seen = wait_for(lambda: len(procs.by_environ(token.encode())) >= 2 and
                    procs.by_environ(token.encode()), 1.3, 0.02) or []
    th.join(20)
    expect(res, "no response within 20 s")
    error_reply(res[0], 504, "forker at timeout_ms=1500")
    expect(len(seen) >= 2, "never saw the function and its grandchild running (saw %s)" % seen)
    left = wait_for(lambda: not [p for p in seen if procs.alive(p)], 2.0)
    alive = [p for p in seen if procs.alive(p)]
    procs.kill_pids(alive)
    expect(left, "still alive 2 s after the 504: %s" % alive)
    expect(any(("req=" in l and "forker pid=" in l) for l in st.log_text().splitlines()),
           "forker's stderr line not in the log")


def t_503(st):
    barrier = threading.Barrier(4)
    res = []

    def one():
        barrier.wait(5)
        res.append(st.get("/fn/queue?ms=2500"))
    ths = [threading.Thread(target=one) for _ in range(4)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(30)
    codes = sorted(r.status for r in res)
    expect(len(res) == 4, "only %d of 4 answered" % len(res))
    busy = [r for r in res if r.status == 503]
    expect(busy, "no 503 with max_concurrency=1 queue=1 and 4 concurrent: %s" % codes)
    for r in busy:
        error_reply(r, 503, "queue full")
        expect(r.headers.get("retry-after"), "503 without Retry-After")
        expect(r.elapsed < 2.0, "503 came only after %.2f s" % r.elapsed)
    expect(codes == [200, 200, 503, 503], "expected 2x200 (1 running, 1 queued) and 2x503: %s" % codes)


def control(st, query, as_nobody=False):
    """A control request (FastCGI role 2, which nginx never sends)."""
    import struct
    p = fcgi.params_for("/novo-control", "GET", query)
    msg = fcgi.record(fcgi.BEGIN_REQUEST, struct.pack(">HB5x", 2, 0))
    msg += fcgi.record(fcgi.PARAMS, b"".join(fcgi.nv(k, v) for k, v in p.items()))
    msg += fcgi.record(fcgi.PARAMS) + fcgi.record(fcgi.STDIN)
    if as_nobody:
        # the peer credentials are taken at connect: connect as nobody
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                os.setgid(65534)
                os.setuid(65534)
                with fcgi.connect(st.sock) as s:
                    s.sendall(msg)
                    out, _, _ = fcgi.read_response(s, time.monotonic() + 5)
                os.write(w, out)
            finally:
                os._exit(0)
        os.close(w)
        out = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            out += chunk
        os.close(r)
        os.waitpid(pid, 0)
    else:
        with fcgi.connect(st.sock) as s:
            s.sendall(msg)
            out, _, _ = fcgi.read_response(s, time.monotonic() + 5)
    return fcgi.parse_cgi(out)


def t_control(st):
    """novoctl's control requests: root only, and need novo.ko (absent here)."""
    status, _, body = control(st, "learn=hello&on=1")
    expect(status == 409 and b"novo.ko" in body,
           "root, no module: want 409 'novo.ko is not active', got %s %r" % (status, body))
    status, _, body = control(st, "learn=../x&on=1")
    expect(status == 400, "bad name: want 400, got %s %r" % (status, body))
    status, _, body = control(st, "learn=hello&on=1", as_nobody=True)
    expect(status == 403, "peer not root: want 403, got %s %r" % (status, body))
    r = st.get("/novo-control?learn=hello&on=1", record=False)  # nginx's own 404
    expect(r.status == 404, "through nginx the control path is a plain 404, got %s" % r.status)


def run(rep, st):
    rep.check("404 unknown function (X-Request-Id, plain reason)", t_404_unknown, st)
    rep.check("404 invalid names (%2f, 65 chars, dot, space, empty, ..)", t_404_invalid, st)
    rep.check("404 invalid names sent straight to novod (.., ., //, 65 chars)", t_404_raw, st)
    rep.check("502 crash (SIGSEGV)", t_502, st, "/fn/crash", "crash")
    rep.check("502 malformed header block (line without colon)", t_502, st, "/fn/badheader", "badheader")
    rep.check("502 malformed header block (Status: banana)", t_502, st, "/fn/badheader?mode=1", "Status: banana")
    rep.check("502 missing header block (no output)", t_502, st, "/fn/noheader", "noheader")
    rep.check("502 missing header block (no empty line)", t_502, st, "/fn/noheader?mode=1", "unterminated")
    rep.check("502 output over max_output_kb before sending", t_502, st,
              "/fn/tiny?n=3000&one=1", "3000 bytes at max_output_kb=1")
    rep.check("502 forbidden syscall (ptrace), which succeeds unconfined", t_forbidden, st)
    rep.check("502 at a whitelist of write and exit_group only; its spawner keeps making children",
              t_narrow, st)
    rep.check("502 over cpu_ms", t_cpu, st)
    rep.check("memory_mb holds: 256 MiB refused or 502 (allocated unconfined), 8 MiB served",
              t_mem, st)
    rep.check("transfer aborted when output passes max_output_kb after sending began", t_abort, st)
    rep.check("504 over timeout_ms", t_504, st)
    rep.check("504 kills the function and its (setsid) grandchild", t_504_tree, st)
    rep.check("503 + Retry-After when the queue is full", t_503, st)
    rep.check("control requests: FastCGI role 2 only, root only, 409 without novo.ko", t_control, st)
