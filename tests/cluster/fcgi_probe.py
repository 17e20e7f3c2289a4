"""fcgi_probe.py - one raw FastCGI request to a novod, with no nginx between.

    python3 fcgi_probe.py ADDR PORT ID

prints one JSON line: whether it connected, how many bytes came back,
whether the answer ended with FCGI_END_REQUEST, and the stdout stream.
The test runs it from the root namespace (a peer in allow) and from the
outsider namespace (a peer not in allow).
"""

import json
import socket
import struct
import sys
import time

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def record(rtype, content=b""):
    return struct.pack(">BBHHBB", 1, rtype, 1, len(content), 0, 0) + content


def nv(name, value):
    name, value = name.encode(), value.encode()
    assert len(name) < 128 and len(value) < 128
    return bytes([len(name), len(value)]) + name + value


def request_bytes(uri, query):
    params = {"REQUEST_METHOD": "GET", "QUERY_STRING": query,
              "SCRIPT_NAME": uri, "DOCUMENT_URI": uri,
              "REQUEST_URI": uri + "?" + query, "SERVER_PROTOCOL": "HTTP/1.1",
              "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1",
              "SERVER_NAME": "probe", "SERVER_PORT": "80",
              "CONTENT_LENGTH": ""}
    body = b"".join(nv(k, v) for k, v in params.items())
    return (record(BEGIN, struct.pack(">HB5x", 1, 0)) + record(PARAMS, body)
            + record(PARAMS) + record(STDIN))


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
    out, pos = b"", 0
    while len(buf) - pos >= 8:
        _, rtype, _, n, pad, _ = struct.unpack(">BBHHBB", buf[pos:pos + 8])
        if len(buf) - pos < 8 + n + pad:
            break
        if rtype == STDOUT:
            out += buf[pos + 8:pos + 8 + n]
        pos += 8 + n + pad
        if rtype == END:
            res["stdout"] = out.decode(errors="replace")
            return True
    res["stdout"] = out.decode(errors="replace")
    return False


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
