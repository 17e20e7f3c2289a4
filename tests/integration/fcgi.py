"""fcgi.py - a minimal FastCGI client, to talk to novod's socket directly."""

import socket
import struct
import time

BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST = 1, 2, 3
PARAMS, STDIN, STDOUT, STDERR = 4, 5, 6, 7
GET_VALUES_RESULT = 10
RESPONDER = 1


def record(rtype, content=b"", rid=1, version=1, length=None, padding=0):
    """One record; length may lie about the content (hostile tests)."""
    n = len(content) if length is None else length
    return (struct.pack(">BBHHBB", version, rtype, rid, n, padding, 0)
            + content + b"\0" * padding)


def nv_len(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def nv(name, value):
    name, value = name.encode(), value.encode()
    return nv_len(len(name)) + nv_len(len(value)) + name + value


def begin(rid=1, keep=False, role=RESPONDER):
    return record(BEGIN_REQUEST, struct.pack(">HB5x", role, 1 if keep else 0), rid)


def params_for(uri, method="GET", query="", extra=None):
    """The variables nginx's stock fastcgi_params would send for uri."""
    p = {"QUERY_STRING": query, "REQUEST_METHOD": method, "CONTENT_TYPE": "",
         "CONTENT_LENGTH": "", "SCRIPT_NAME": uri, "REQUEST_URI": uri + (
             "?" + query if query else ""), "DOCUMENT_URI": uri,
         "DOCUMENT_ROOT": "/nonexistent", "SERVER_PROTOCOL": "HTTP/1.1",
         "REQUEST_SCHEME": "http", "GATEWAY_INTERFACE": "CGI/1.1",
         "SERVER_SOFTWARE": "novo-test", "REMOTE_ADDR": "127.0.0.1",
         "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1",
         "SERVER_PORT": "80", "SERVER_NAME": "novotest",
         "HTTP_HOST": "novotest"}
    p.update(extra or {})
    return p


def connect(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def records(data):
    """The whole records at the start of data, as (type, request id, content); the rest."""
    out = []
    while len(data) >= 8:
        _, rtype, rid, n, pad, _ = struct.unpack(">BBHHBB", data[:8])
        if len(data) < 8 + n + pad:
            break
        out.append((rtype, rid, data[8:8 + n]))
        data = data[8 + n + pad:]
    return out, data


def recv_until_close(s, seconds):
    """Every byte the peer sends until it closes (or seconds pass)."""
    data, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def read_response(s, deadline):
    """Reads records until END_REQUEST; returns (stdout, stderr, ended)."""
    buf, out, err = b"", b"", b""
    while time.monotonic() < deadline:
        recs, buf = records(buf)
        for rtype, _, content in recs:
            if rtype == STDOUT:
                out += content
            elif rtype == STDERR:
                err += content
            elif rtype == END_REQUEST:
                return out, err, True
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return out, err, False


def request_bytes(uri, query="", method="GET", body=b"", rid=1, keep=False):
    """The records of one whole request, as nginx would send them."""
    extra = {"CONTENT_LENGTH": str(len(body))} if body else {}
    p = params_for(uri, method, query, extra)
    msg = begin(rid, keep) + record(PARAMS, b"".join(nv(k, v) for k, v in p.items()), rid)
    msg += record(PARAMS, rid=rid)
    if body:
        msg += record(STDIN, body, rid)
    return msg + record(STDIN, rid=rid)


def request(path, uri, query="", method="GET", body=b"", timeout=10.0):
    """A whole request over a new connection: (status, headers, body, ended)."""
    with connect(path, timeout) as s:
        s.sendall(request_bytes(uri, query, method, body))
        out, _, ended = read_response(s, time.monotonic() + timeout)
    return parse_cgi(out) + (ended,)


def parse_cgi(out):
    """CGI-style response from novod: (status, {lower name: value}, body)."""
    sep = out.find(b"\r\n\r\n")
    if sep < 0:
        sep2 = out.find(b"\n\n")
        if sep2 < 0:
            return None, {}, out
        head, body = out[:sep2], out[sep2 + 2:]
    else:
        head, body = out[:sep], out[sep + 4:]
    headers = {}
    for line in head.decode("latin-1").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    status = 200
    if "status" in headers:
        try:
            status = int(headers["status"].split()[0])
        except ValueError:
            status = None
    return status, headers, body
