"""fcgi_probe.py - one raw FastCGI request to a novod, with no nginx between.

    python3 fcgi_probe.py ADDR PORT ID

prints one JSON line: whether it connected, how many bytes came back,
whether the answer ended with FCGI_END_REQUEST, and the stdout stream.
The test runs it from the root namespace (a peer in allow) and from the
outsider namespace (a peer not in allow).
"""

import json
import os
import socket
import sys
import time

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import fcgi  # noqa: E402  (the integration tests' client: one record format)


def request_bytes(uri, query):
    params = fcgi.params_for(uri, query=query, extra={"SERVER_NAME": "probe"})
    body = b"".join(fcgi.nv(k, v) for k, v in params.items())
    return (fcgi.begin() + fcgi.record(fcgi.PARAMS, body)
            + fcgi.record(fcgi.PARAMS) + fcgi.record(fcgi.STDIN))


def probe(addr, port, rid, timeout=5.0):
    res = {"connected": False, "bytes": 0, "end": False, "stdout": "",
           "error": None}
    deadline = time.monotonic() + timeout
    buf = b""
    try:
        s = socket.create_connection((addr, port), timeout)
    except OSError as e:
        res["error"] = "connect: %s" % e
        return res
    res["connected"] = True
    try:
        s.sendall(request_bytes("/fn/whoami", "id=%s&ms=0" % rid))
        while time.monotonic() < deadline and not res["end"]:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            res["end"] = _parse(buf, res)
    except OSError as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        s.close()
    res["bytes"] = len(buf)
    return res


def _parse(buf, res):
    """Fills res["stdout"] from buf; True once END_REQUEST is in it."""
    recs, _ = fcgi.records(buf)
    res["stdout"] = b"".join(c for t, _, c in recs if t == fcgi.STDOUT).decode(
        errors="replace")
    return any(t == fcgi.END_REQUEST for t, _, _ in recs)


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
