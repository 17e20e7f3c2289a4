"""web.py - HTTP requests to the test nginx, one connection each."""

import http.client
import socket
import time


class Resp:
    def __init__(self):
        self.status = None      # int, or None when no response came
        self.headers = {}       # lower-case name -> value (last one wins)
        self.header_list = []   # (name, value) as received
        self.body = b""
        self.incomplete = False  # body cut short (IncompleteRead)
        self.error = None       # text of a transport error
        self.elapsed = 0.0

    def rid(self):
        return self.headers.get("x-request-id")

    def __repr__(self):
        return "<%s %s%s%s body=%r>" % (
            self.status, "incomplete " if self.incomplete else "",
            "error=%s " % self.error if self.error else "",
            self.headers, self.body[:120])


def request(port, path, method="GET", body=None, headers=None, timeout=20,
            record=None):
    """Sends one request; never raises for transport errors (see Resp.error)."""
    r = Resp()
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        r.status = resp.status
        r.header_list = resp.getheaders()
        r.headers = {k.lower(): v for k, v in r.header_list}
        try:
            r.body = resp.read()
        except http.client.IncompleteRead as e:
            r.body = e.partial
            r.incomplete = True
    except (OSError, http.client.HTTPException) as e:
        r.error = "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()
    r.elapsed = time.monotonic() - t0
    if record is not None and r.status is not None:
        record.append((path, r))
    return r


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def unix_open(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
