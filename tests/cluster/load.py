"""load.py - HTTP load through nginx, one record per request.

Each request carries a unique id (whoami records it in the ran/ folder of
the host that began it) and says how long the function sleeps. Bounded:
at most max_requests in all, no new request after `seconds`, and each
request times out.
"""

import http.client
import itertools
import re
import threading
import time

BODY_RE = re.compile(r"^host=(h\d+) id=([A-Za-z0-9_-]+)\n$")


class Result:
    __slots__ = ("id", "method", "t0", "t1", "status", "host", "error")

    def __init__(self, rid, method):
        self.id, self.method = rid, method
        self.t0 = self.t1 = 0.0
        self.status, self.host, self.error = None, None, None

    @property
    def ok(self):
        return self.status == 200 and self.host is not None


def one(conn, fn, rid, method, ms):
    """Sends one request on conn; a Result (conn may need reopening)."""
    r = Result(rid, method)
    path = "/fn/%s?id=%s&ms=%d" % (fn, rid, ms)
    body = ("payload of %s\n" % rid).encode() if method == "POST" else None
    r.t0 = time.monotonic()
    try:
        conn.request(method, path, body=body)
        resp = conn.getresponse()
        data = resp.read().decode(errors="replace")
        r.status = resp.status
        m = BODY_RE.match(data)
        if m and m.group(2) == rid:
            r.host = m.group(1)
        elif resp.status == 200:
            r.error = "unexpected body %r" % data[:80]
    except (OSError, http.client.HTTPException) as e:
        r.error = "%s: %s" % (type(e).__name__, e)
    r.t1 = time.monotonic()
    return r


class Load:
    """clients threads sending fn requests until stop(), seconds or max."""

    def __init__(self, port, fn, prefix, clients, ms, methods=("GET",),
                 seconds=10.0, max_requests=2000):
        self.port, self.fn, self.prefix = port, fn, prefix
        self.clients, self.ms, self.methods = clients, ms, methods
        self.seconds, self.max_requests = seconds, max_requests
        self.results = []
        self._lock = threading.Lock()
        self._n = itertools.count()
        self._stop = threading.Event()
        self._threads = []

    def _next(self):
        with self._lock:
            n = next(self._n)
        return None if n >= self.max_requests else n

    def _client(self, k):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        end = time.monotonic() + self.seconds
        while not self._stop.is_set() and time.monotonic() < end:
            n = self._next()
            if n is None:
                break
            method = self.methods[n % len(self.methods)]
            r = one(conn, self.fn, "%s-%d" % (self.prefix, n), method, self.ms)
            if r.error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=20)
            with self._lock:
                self.results.append(r)
        conn.close()

    def start(self):
        for k in range(self.clients):
            t = threading.Thread(target=self._client, args=(k,), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()

    def join(self):
        """Waits for every client (each bounded by seconds + one timeout)."""
        for t in self._threads:
            t.join(self.seconds + 30)
        return [t for t in self._threads if t.is_alive()]

    def run(self):
        self.start()
        self.join()
        return self.results
