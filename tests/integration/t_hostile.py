"""t_hostile.py - bad bytes straight to novod's socket; novod must keep serving."""

import random
import socket
import struct
import time

import fcgi
import procs
from report import expect

FUNCTIONS = ""


def install(st):
    pass


def send_close(st, data, linger=0.2):
    """Connects, sends data, reads what comes for linger seconds, closes."""
    s = fcgi.connect(st.sock, timeout=max(linger, 0.2))
    try:
        s.sendall(data)
        end = time.monotonic() + linger
        while time.monotonic() < end:
            try:
                if not s.recv(65536):
                    break
            except (socket.timeout, OSError):
                break
    except OSError:
        pass  # novod may close on us mid-send: fine
    finally:
        s.close()


def still_serving(st, what):
    expect(st.novod_alive(), "novod died after %s (exit %s): %s" % (
        what, st.novod.returncode, st.tail_stderr(400)))
    r = st.get("/fn/hello", timeout=10)
    expect(r.status == 200, "hello after %s: %r" % (what, r))
    status, _, body, ended = fcgi.request(st.sock, "/fn/hello")
    expect(status == 200 and ended, "direct FastCGI hello after %s: %r %r" % (what, status, body[:80]))


def t_garbage(st):
    rnd = random.Random(1234)
    for size in (1, 7, 8, 100, 4096, 70000):
        send_close(st, bytes(rnd.randrange(256) for _ in range(size)), 0.05)
    send_close(st, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    still_serving(st, "random bytes and an HTTP request")


def t_truncated(st):
    send_close(st, fcgi.begin()[:5])
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, b"\x04\x03abcdef")[:12])
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, b"x" * 20, length=500))
    p = fcgi.nv("REQUEST_METHOD", "GET") + fcgi.nv("SCRIPT_NAME", "/fn/hello")
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, p) + fcgi.record(fcgi.PARAMS)
               + fcgi.record(fcgi.STDIN, b"abc", length=3000))
    still_serving(st, "truncated records")


def t_absurd(st):
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, b"abcd", length=65535))
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, b"q" * 64, length=65535, padding=255))
    huge = struct.pack(">II", 0xFFFFFFFF, 0x80000001) + b"NAMEv"
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, huge) + fcgi.record(fcgi.PARAMS)
               + fcgi.record(fcgi.STDIN), 0.5)
    huge2 = struct.pack(">I", 0xFFFFFFFF) + b"\x01" + b"x" * 30
    send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, huge2) + fcgi.record(fcgi.PARAMS)
               + fcgi.record(fcgi.STDIN), 0.5)
    send_close(st, fcgi.begin(role=99) + fcgi.record(fcgi.PARAMS) + fcgi.record(fcgi.STDIN))
    send_close(st, fcgi.record(77, b"12345678") + fcgi.begin(rid=0) + fcgi.record(2, rid=9))
    send_close(st, fcgi.record(fcgi.BEGIN_REQUEST, b"\x00\x01\x00\x00\x00\x00\x00\x00", version=9))
    still_serving(st, "absurd lengths (65535 with few bytes, 0x7fffffff param name)")


def t_half_open(st):
    a = fcgi.connect(st.sock)
    b = fcgi.connect(st.sock)
    c = fcgi.connect(st.sock)
    try:
        a.sendall(fcgi.begin()[:4])
        a.shutdown(socket.SHUT_WR)
        b.sendall(fcgi.begin() + fcgi.record(fcgi.PARAMS, fcgi.nv("A", "b")))
        # c: connected and silent
        t0 = time.monotonic()
        still_serving(st, "half-open and idle connections (still open)")
        expect(time.monotonic() - t0 < 5, "serving stalled %.1f s" % (time.monotonic() - t0))
    finally:
        for s in (a, b, c):
            s.close()
    still_serving(st, "half-open and idle connections (closed)")


def t_fd_leak(st):
    before = procs.fd_count(st.novod.pid)
    for i in range(60):
        send_close(st, b"\xff" * (i + 1), 0.0)
        send_close(st, fcgi.begin() + fcgi.record(fcgi.PARAMS, b"z", length=900), 0.0)
    time.sleep(0.5)
    still_serving(st, "120 bad connections")
    after = procs.fd_count(st.novod.pid)
    expect(after - before < 10, "novod's open fds went from %d to %d" % (before, after))


def run(rep, st):
    rep.check("garbage bytes to novod's socket, then hello 200", t_garbage, st)
    rep.check("truncated FastCGI records, then hello 200", t_truncated, st)
    rep.check("absurd record and param lengths, then hello 200", t_absurd, st)
    rep.check("half-open and idle connections do not stop serving", t_half_open, st)
    rep.check("120 bad connections leak no fds", t_fd_leak, st)
