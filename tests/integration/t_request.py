"""t_request.py - the request path: CGI variables, environment, fds, bodies, streaming."""

import os
import time

import fcgi
from report import expect

CGI_VARS = {"AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE",
            "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING", "REMOTE_ADDR",
            "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "REQUEST_METHOD",
            "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
            "SERVER_SOFTWARE"}
# what nginx's stock fastcgi_params sends besides RFC 3875's variables
NGINX_VARS = {"REQUEST_URI", "DOCUMENT_URI", "DOCUMENT_ROOT", "REQUEST_SCHEME",
              "HTTPS", "REMOTE_PORT", "SERVER_ADDR", "REDIRECT_STATUS"}
ENV_PAIRS = {"NOVO_A": "1", "NOVO_B": "two"}

FUNCTIONS = """
[echo]
path = env/env
env = NOVO_A=1 NOVO_B=two

[small]
path = env/env
max_body_kb = 4

[fdcheck]
syscalls = @cgi fcntl

[headers]

[big]
syscalls = @cgi nanosleep clock_nanosleep
max_output_kb = 11264

[%s]
path = hello/hello
""" % ("x" * 64)


def install(st):
    st.install("env", "env")
    st.install("fdcheck", "fdcheck")
    st.install("headers", "headers")
    st.install("big", "big")


def parse_env(body):
    """env's answer: ({NAME: VALUE}, body bytes)."""
    head, sep, rest = body.partition(b"\nBODY ")
    env = {}
    for line in (head + b"\n").decode("utf-8", "replace").splitlines():
        if line.startswith("ENV ") and "=" in line:
            k, v = line[4:].split("=", 1)
            env[k] = v
    if not sep:
        return env, None
    n, _, data = rest.partition(b"\n")
    expect(int(n) == len(data), "BODY says %s bytes, %d follow" % (n, len(data)))
    return env, data


def pattern(n):
    """The bytes big sends for ?n=N."""
    recs = b"".join(b"%015x\n" % i for i in range(0, n + 15, 16))
    return recs[:n]


def ok200(r, what):
    expect(r.status == 200, "%s: expected 200, got %r" % (what, r))


def t_hello(st):
    r = st.get("/fn/hello")
    ok200(r, "/fn/hello")
    expect(r.body.strip(), "empty body")
    expect(r.rid(), "no X-Request-Id header")
    r2 = st.get("/fn/hello")
    expect(r2.rid() and r2.rid() != r.rid(), "request ids not unique: %r %r" % (r.rid(), r2.rid()))


def t_cgi_vars(st):
    r = st.get("/fn/echo/a/b?x=1&y=two", method="POST", body=b"hello",
               headers={"Content-Type": "application/x-novo", "X-Foo": "bar-baz",
                        "Accept-Language": "eo"})
    ok200(r, "POST /fn/echo/a/b")
    env, data = parse_env(r.body)
    want = {"REQUEST_METHOD": "POST", "QUERY_STRING": "x=1&y=two", "PATH_INFO": "/a/b",
            "SCRIPT_NAME": "/fn/echo", "CONTENT_LENGTH": "5",
            "CONTENT_TYPE": "application/x-novo", "SERVER_PROTOCOL": "HTTP/1.1",
            "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_NAME": "novotest", "SERVER_PORT": str(st.port),
            "REQUEST_URI": "/fn/echo/a/b?x=1&y=two", "HTTP_X_FOO": "bar-baz",
            "HTTP_ACCEPT_LANGUAGE": "eo"}
    bad = ["%s=%r (want %r)" % (k, env.get(k), v) for k, v in want.items() if env.get(k) != v]
    expect(not bad, "; ".join(bad))
    expect(data == b"hello", "body on stdin: %r" % data)


def t_get_vars(st):
    r = st.get("/fn/echo")
    ok200(r, "GET /fn/echo")
    env, data = parse_env(r.body)
    expect(env.get("REQUEST_METHOD") == "GET", "REQUEST_METHOD=%r" % env.get("REQUEST_METHOD"))
    expect(env.get("SCRIPT_NAME") == "/fn/echo", "SCRIPT_NAME=%r" % env.get("SCRIPT_NAME"))
    expect(env.get("PATH_INFO", "") == "", "PATH_INFO=%r for /fn/echo" % env.get("PATH_INFO"))
    expect(env.get("CONTENT_LENGTH", "") in ("", "0"), "CONTENT_LENGTH=%r" % env.get("CONTENT_LENGTH"))
    expect(data == b"", "GET stdin not empty: %r" % data)


def t_env_clean(st):
    r = st.get("/fn/echo/x")
    ok200(r, "/fn/echo/x")
    env, _ = parse_env(r.body)
    expect(env, "no ENV lines in %r" % r.body[:200])
    leaked = [k for k, v in env.items() if st.token in v or k == "NOVO_TEST_SECRET"]
    expect(not leaked, "novod's marker variable reached the child: %s" % leaked)
    mine = st.novod_env()
    inherited = sorted(k for k, v in env.items() if mine.get(k) == v
                       and k not in CGI_VARS | NGINX_VARS and not k.startswith("HTTP_"))
    expect(not inherited, "variables of novod's own environment in the child: %s" % inherited)


def t_env_only_cgi(st):
    env, _ = parse_env(st.get("/fn/echo/x").body)
    extra = sorted(k for k in env if k not in CGI_VARS | NGINX_VARS | set(ENV_PAIRS)
                   and not k.startswith("HTTP_"))
    expect(env and not extra, "variables that are neither CGI, nginx's params nor env pairs: %s" % extra)


def t_env_pairs(st):
    env, _ = parse_env(st.get("/fn/echo").body)
    bad = ["%s=%r" % (k, env.get(k)) for k, v in ENV_PAIRS.items() if env.get(k) != v]
    expect(not bad, "env = pairs not delivered: %s" % bad)
    env2, _ = parse_env(st.get("/fn/small").body)
    expect("NOVO_A" not in env2, "another function's env pairs leaked into [small]")


def t_fds(st):
    r = st.get("/fn/fdcheck")
    ok200(r, "/fn/fdcheck")
    expect(r.body.strip() == b"fds=0 1 2", "child's open fds: %r" % r.body.strip())


def t_body_limit(st):
    body = bytes((i * 7 + 3) % 256 for i in range(4096))
    r = st.get("/fn/small", method="POST", body=body,
               headers={"Content-Type": "application/octet-stream"})
    ok200(r, "POST 4096 bytes at max_body_kb=4")
    env, data = parse_env(r.body)
    expect(data == body, "body differs: %d bytes back, first diff at %s" % (
        len(data or b""), next((i for i, (a, b) in enumerate(zip(data or b"", body)) if a != b), "end")))
    expect(env.get("CONTENT_LENGTH") == "4096", "CONTENT_LENGTH=%r" % env.get("CONTENT_LENGTH"))


def t_body_over(st):
    r = st.get("/fn/small", method="POST", body=b"z" * 4097,
               headers={"Content-Type": "application/octet-stream"})
    expect(r.status == 413, "4097 bytes at max_body_kb=4: expected 413, got %r" % r)
    expect(r.rid(), "413 without X-Request-Id (did nginx answer, not novod?)")
    expect(r.body.strip(), "413 without a plain-text reason")


def t_big(st):
    n = 10 * 1024 * 1024
    r = st.get("/fn/big?n=%d" % n, timeout=60)
    ok200(r, "10 MiB")
    expect(not r.incomplete, "transfer cut after %d bytes" % len(r.body))
    want = pattern(n)
    if r.body != want:
        i = next((i for i, (a, b) in enumerate(zip(r.body, want)) if a != b), min(len(r.body), n))
        expect(False, "%d bytes received, %d expected, first difference at %d: %r" % (
            len(r.body), n, i, r.body[i:i + 32]))


def t_streamed(st):
    """The first 64 KiB arrive while the function still sleeps 2.5 s."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=20)
    try:
        t0 = time.monotonic()
        conn.request("GET", "/fn/big?n=200000&after=65536&pause=2500")
        resp = conn.getresponse()
        first = resp.read(1000)
        t_first = time.monotonic() - t0
        rest = resp.read()
    finally:
        conn.close()
    expect(resp.status == 200, "status %s" % resp.status)
    expect(first + rest == pattern(200000), "body differs (%d bytes)" % len(first + rest))
    expect(t_first < 2.0, "first bytes came after %.2f s: response buffered, not streamed" % t_first)


def t_headers(st):
    r = st.get("/fn/headers")
    expect(r.status == 201, "Status: 201 gave %r" % r)
    expect(r.headers.get("location") == "/somewhere/else", "Location: %r" % r.headers.get("location"))
    expect(r.headers.get("x-custom") == "yes-custom", "X-Custom: %r" % r.headers.get("x-custom"))
    expect((r.headers.get("content-type") or "").startswith("text/x-novo"),
           "Content-Type: %r" % r.headers.get("content-type"))
    expect(r.body == b"created\n", "body %r" % r.body)
    expect("status" not in r.headers, "a Status: header leaked to the client")


def t_redirect(st):
    r = st.get("/fn/headers?mode=1")
    expect(r.status in (301, 302, 303, 307), "Location without Status gave %r" % r)
    expect(r.headers.get("location") == "http://example.com/elsewhere",
           "Location: %r" % r.headers.get("location"))


def t_name64(st):
    ok200(st.get("/fn/" + "x" * 64), "a 64-character section name")


def t_keep_conn(st):
    """FCGI_KEEP_CONN honoured: three requests, one connection (as nginx's keepalive)."""
    with fcgi.connect(st.sock, 10) as s:
        for rid in (1, 2, 3):
            s.sendall(fcgi.request_bytes("/fn/echo/k%d" % rid, "n=%d" % rid, rid=rid, keep=True))
            out, _, ended = fcgi.read_response(s, time.monotonic() + 10)
            status, _, body = fcgi.parse_cgi(out)
            expect(ended, "request %d on the kept connection: no FCGI_END_REQUEST (%r)" % (rid, out[:100]))
            expect(status == 200 and b"PATH_INFO=/k%d" % rid in body,
                   "request %d on the kept connection: %r %r" % (rid, status, body[:100]))


def t_examples(st, names):
    query = {"fib": "?n=10", "primes": "?n=50",
             "fetch": "?host=127.0.0.1&port=%d&path=/fn/hello" % st.port}
    bad = []
    for n in names:
        r = st.get("/fn/%s%s" % (n, query.get(n.replace("-example", ""), "")))
        if r.status != 200 or not r.rid():
            bad.append("%s: %r" % (n, r))
        elif n == "fetch" and b"200" not in r.body:
            bad.append("fetch (network = yes) did not reach nginx: %r" % r.body[:200])
    expect(not bad, "; ".join(bad))


def examples():
    """Example functions built from functions/*/ (name = folder = binary)."""
    from stack import ROOT
    d = os.path.join(ROOT, "functions")
    out = []
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if os.access(os.path.join(d, n, n), os.X_OK):
            out.append(n)
    return out


def run(rep, st):
    rep.check("hello: 200, a body, a unique X-Request-Id", t_hello, st)
    rep.check("CGI variables, HTTP_* headers and body (POST /fn/echo/a/b?...)", t_cgi_vars, st)
    rep.check("GET: no PATH_INFO, empty body", t_get_vars, st)
    rep.check("child environment: nothing of novod's (NOVO_TEST_SECRET marker)", t_env_clean, st)
    rep.check("child environment: only CGI variables, nginx params and env pairs", t_env_only_cgi, st)
    rep.check("env = pairs delivered, per function", t_env_pairs, st)
    rep.check("child's open fds are 0 1 2 only", t_fds, st)
    rep.check("POST body exactly at max_body_kb: 200, byte-exact", t_body_limit, st)
    rep.check("POST body one byte over max_body_kb: 413", t_body_over, st)
    rep.check("10 MiB response, byte-exact", t_big, st)
    rep.check("response streamed (first bytes before the function ends)", t_streamed, st)
    rep.check("Status:, Location:, other headers passed through", t_headers, st)
    rep.check("Location: without Status: is a client redirect", t_redirect, st)
    rep.check("64-character function name served", t_name64, st)
    rep.check("FastCGI keep-alive: 3 requests on one connection", t_keep_conn, st)
    names = getattr(st, "example_sections", examples())
    rep.check("example functions answer 200: %s" % " ".join(names), t_examples, st, names)
