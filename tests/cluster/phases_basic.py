"""phases_basic.py - spread over all hosts, the allow-list, a rollout."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time

from hosts import PORT, wait_for
from load import BODY_RE, Load

HERE = os.path.dirname(os.path.abspath(__file__))


def get(port, path, timeout=5):
    """(status, body) of GET path on 127.0.0.1:port; (None, error) on error."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as e:
        return None, "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()


def host_answers(c, h, fn, rid):
    """True when host h, asked directly, runs fn and names itself."""
    st, body = get(c.lb.direct[h.name], "/fn/%s?id=%s&ms=0" % (fn, rid))
    m = BODY_RE.match(body) if st == 200 else None
    return bool(m and m.group(1) == h.name)


def ran_where(c):
    """{id: [host names whose whoami began it]}."""
    where = {}
    for h in c.hosts:
        for rid in h.ran_ids():
            where.setdefault(rid, []).append(h.name)
    return where


def check_answers_match_records(c, results, what):
    """Each 200 names a host that recorded the id, and only that host."""
    where = ran_where(c)
    bad = [r.id for r in results if r.ok and where.get(r.id) != [r.host]]
    c.r.check(not bad, "%s: each answer comes from the one host that ran it "
              "(its ran/ record)" % what,
              "%d do not match, e.g. %s -> %s" % (
                  len(bad), bad[:3], [where.get(b) for b in bad[:3]]))


def spread(c):
    t0 = time.monotonic()
    res = Load(c.lb.port, "whoami", "spread", clients=12, ms=20,
               seconds=20, max_requests=300).run()
    secs = time.monotonic() - t0
    ok = [r for r in res if r.ok]
    c.r.check(len(res) == 300 and len(ok) == 300,
              "spread: 300 GETs through nginx, all 200",
              "%d sent, %d ok, e.g. %s" % (len(res), len(ok),
                                         [(r.status, r.error) for r in res
                                          if not r.ok][:3]))
    per = {h.name: sum(1 for r in ok if r.host == h.name) for h in c.hosts}
    c.r.check(all(n >= 45 for n in per.values()),
              "spread: every host answered at least 15%% (%s)" %
              " ".join("%s=%d" % kv for kv in sorted(per.items())))
    check_answers_match_records(c, res, "spread")
    c.r.number("spread: 300 GETs (12 clients, 20 ms function) in %.2f s, "
               "%s" % (secs, " ".join("%s=%d" % kv for kv in sorted(per.items()))))


def run_probe(ns, addr, rid):
    cmd = ([] if ns is None else ["ip", "netns", "exec", ns]) + [
        sys.executable, os.path.join(HERE, "fcgi_probe.py"), addr, str(PORT), rid]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=15,
                       stdin=subprocess.DEVNULL)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": "probe failed: %s" % r.stderr.strip()[-200:]}


def allow_list(c):
    h1, out_addr = c.hosts[0], c.net.outsider_addr()
    ok = run_probe(None, h1.addr, "allowed-1")
    c.r.check(ok.get("end") and "host=h1 id=allowed-1" in ok.get("stdout", ""),
              "allow: a raw FastCGI request from %s (in allow) is answered"
              % c.net.root_addr(1), str(ok))
    bad = run_probe(c.net.outsider, h1.addr, "refused-1")
    c.r.check(bad.get("connected") and bad.get("bytes") == 0
              and not bad.get("end"),
              "allow: the same request from %s (netns %s, not in allow) gets "
              "the connection closed, not one byte back" % (out_addr,
                                                           c.net.outsider),
              str(bad))
    c.r.check("refused-1" not in ran_where(c),
              "allow: the refused request reached no function")
    line = "refused connection from %s" % out_addr
    found = wait_for(lambda: line in h1.log_text(), 3)
    c.r.check(found, "allow: h1's log says \"%s\"" % line)
    if found:
        c.r.note(next(l for l in h1.log_text().splitlines() if line in l))


def rollout(c):
    for h in c.hosts:
        st, body = get(c.lb.direct[h.name], "/fn/rollout?id=pre-%s" % h.name)
        c.r.check(st == 404, "rollout: before, %s answers 404 for /fn/rollout"
                  % h.name, "%s %r" % (st, body[:80]))
    bg = Load(c.lb.port, "whoami", "during-rollout", clients=6, ms=50,
              seconds=12, max_requests=2000).start()
    time.sleep(0.5)
    took = {}
    for h in c.hosts:
        h.install("rollout", c.whoami)
        h.add_section("rollout")
        err = h.check_config()
        c.r.check(err is None, "rollout: novod -t accepts %s's new "
                  "functions.ini" % h.name, str(err))
        t0 = time.monotonic()
        h.signal(signal.SIGHUP)
        served = wait_for(lambda: host_answers(c, h, "rollout",
                                               "ro-%s" % h.name), 5, 0.02)
        took[h.name] = time.monotonic() - t0
        c.r.check(served, "rollout: after SIGHUP, %s serves /fn/rollout "
                  "(%.0f ms)" % (h.name, took[h.name] * 1000))
    time.sleep(0.5)
    bg.stop()
    stuck = bg.join()
    res = bg.results
    bad = [(r.id, r.status, r.error) for r in res if not r.ok]
    c.r.check(not stuck and res and not bad,
              "rollout: %d requests to whoami during the three reloads, all "
              "200" % len(res), "%d failed, e.g. %s" % (len(bad), bad[:3]))
    res = Load(c.lb.port, "rollout", "rollout", clients=6, ms=20, seconds=15,
               max_requests=60).run()
    seen = {r.host for r in res if r.ok}
    c.r.check(len(res) == 60 and all(r.ok for r in res)
              and seen == {h.name for h in c.hosts},
              "rollout: 60 requests to /fn/rollout through nginx, all 200, "
              "answered by %s" % " ".join(sorted(seen)))
    check_answers_match_records(c, res, "rollout")
    c.r.number("rollout: SIGHUP to serving the new function: %s" % " ".join(
        "%s=%.0fms" % (k, v * 1000) for k, v in sorted(took.items())))
