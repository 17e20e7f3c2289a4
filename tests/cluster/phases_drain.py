"""phases_drain.py - a host drained with SIGTERM under load loses nothing.

Two loads: a slow one (GET and POST, a 300 ms function: requests are
inside functions when SIGTERM lands) and a fast one (GET, a 0 ms function,
32 keep-alive clients: requests arrive on novod's idle connections while
it closes them). A GET cut before its function began is retried by nginx
(fastcgi_next_upstream error): that is no loss. A request cut after its
function began would be answered 502, or run twice when nginx retries a
GET: both fail here, and so does a request left waiting until 504.
"""

import signal
import threading
import time

from hosts import wait_for
from phases_basic import host_answers, ran_where
from phases_fail import load_around, no_leftovers


def drain_host(c, h, what, ms, clients, methods):
    t = {}

    def watch():
        t["st"] = h.wait_exit(15)
        t["at"] = time.monotonic()

    def term():
        h.signal(signal.SIGTERM)
        t["thread"] = threading.Thread(target=watch, daemon=True)
        t["thread"].start()

    res, t_term = load_around(c, what, ms, 2.0, term, clients=clients,
                              methods=methods, after=2.0, max_requests=20000)
    t["thread"].join(20)
    st = t.get("st")
    t["exit"] = t.get("at", time.monotonic()) - t_term
    c.r.check(st == 0, "%s: %s's novod exits 0 after SIGTERM (%.2f s)"
              % (what, h.name, t["exit"]), "exit %s" % st)
    no_leftovers(c, h, what)
    failed = [r for r in res if not r.ok]
    posts = sum(1 for r in res if r.method == "POST")
    before = sum(1 for r in res if r.ok and r.host == h.name)
    c.r.check(res and not failed, "%s: all %d requests (%d POST, %d answered "
              "by %s) answered 200" % (what, len(res), posts, before, h.name),
              "%d failed: %s" % (len(failed), [(r.id, r.method, r.status,
                                                r.error) for r in failed[:5]]))
    where = ran_where(c)
    twice = [r.id for r in res if len(where.get(r.id, [])) != 1]
    c.r.check(not twice, "%s: each request ran exactly once" % what,
              "%d did not: %s" % (len(twice),
                                  [(i, where.get(i)) for i in twice[:5]]))
    log = h.log_text()
    c.r.check("graceful stop" in log and "stopped" in log,
              "%s: %s's log tells the graceful stop" % (what, h.name))
    finished = [r for r in res if r.ok and r.host == h.name and r.t1 > t_term]
    after = [r for r in res if r.t0 > t_term]
    c.r.number("%s: %d requests (%d clients, %s, %d ms function), SIGTERM to "
               "%s 2 s in: %d failed; %d finished by %s after SIGTERM; exit in "
               "%.2f s; %d sent after, answered by %s" % (
                   what, len(res), clients, "/".join(methods), ms, h.name,
                   len(failed), len(finished), h.name, t["exit"], len(after),
                   " ".join(sorted({r.host for r in after if r.ok}))))
    return finished


def drain(c):
    h3 = c.hosts[2]
    finished = drain_host(c, h3, "drain", 300, 16, ("GET", "POST"))
    c.r.check(finished, "drain: %d requests in flight on h3 at SIGTERM were "
              "finished by h3" % len(finished))
    h3.start()
    c.r.check(wait_for(lambda: host_answers(c, h3, "whoami", "restart-h3"), 10),
              "drain: h3's novod restarted serves again")


def drain_fast(c):
    drain_host(c, c.hosts[1], "drain-fast", 0, 32, ("GET",))
