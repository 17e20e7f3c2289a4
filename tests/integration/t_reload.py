"""t_reload.py - SIGHUP: under load, with a bad config, a new section, a new
binary; and pool processes killed from outside."""

import json
import os
import re
import shutil
import signal
import threading
import time

import procs
from report import expect
from stack import find_bin, wait_for


def functions(warm=2, extra=""):
    return ("[hello]\nwarm = %d\n\n[cpus]\nsyscalls = @cgi nanosleep clock_nanosleep\n\n"
            "[anycpu]\nsyscalls = @cgi nanosleep clock_nanosleep\ncpu_affinity = off\n\n"
            "[swap]\n%s" % (warm, extra))


def install(st):
    st.install("hello", "hello")
    st.install("cpus", "cpus")
    st.install("anycpu", "cpus")
    st.install("swap", "swap1")


def hello_load(st, fails, done, count):
    """2 threads x 300 GETs of /fn/hello, counting and keeping failures."""
    def loop():
        for _ in range(300):
            r = st.get("/fn/hello", record=False, timeout=10)
            count[0] += 1
            if r.status != 200:
                fails.append(r)
        done.append(1)
    ths = [threading.Thread(target=loop) for _ in range(2)]
    for t in ths:
        t.start()
    return ths


def t_load(st):
    """2 threads x 300 requests; SIGHUP after 50, 150, ..., 450 of them (hello's pool changes)."""
    fails, done, count = [], [], [0]
    ths = hello_load(st, fails, done, count)
    sent = []
    for i, at in enumerate((50, 150, 250, 350, 450)):
        if not wait_for(lambda: count[0] >= at or len(done) == 2, 60, 0.002):
            break
        st.write_functions(functions(warm=3 if i % 2 == 0 else 2))
        st.signal(signal.SIGHUP)
        sent.append(count[0])
    for t in ths:
        t.join(120)
    expect(len(done) == 2, "load threads did not finish in 120 s")
    expect(st.novod_alive(), "novod died during reloads: %s" % st.tail_stderr(300))
    expect(len(sent) == 5 and sent[-1] < 600, "SIGHUPs not all sent during the load (at %s)" % sent)
    expect(not fails, "%d of 600 requests failed across SIGHUPs sent at requests %s, e.g. %r" % (
        len(fails), sent, fails[:2]))


def t_ready_lines(st):
    """Under load the request that takes a child reads its "ready" line (pool.c, spawn_batch):
    2 threads x 300 requests, all 200, and no line of hello's stderr in the log (hello writes
    none: a ready line read as the function's stderr would show there)."""
    fails, done, count = [], [], [0]
    mark = len(st.log_text())
    spawned = fn_status(st)["pool"]["spawned"]
    for t in hello_load(st, fails, done, count):
        t.join(120)
    expect(len(done) == 2 and not fails, "%d of %d requests failed, e.g. %r" % (
        len(fails), count[0], fails[:2]))
    made = fn_status(st)["pool"]["spawned"] - spawned
    expect(made >= 500, "only %d children made for 600 requests" % made)
    leaked = re.findall(r"fn=hello req=\S+ .*", st.log_text()[mark:])
    expect(not leaked, "%d lines of hello's stderr in the log, e.g. %r" % (
        len(leaked), leaked[:2]))


def t_bad_config(st):
    pos = len(st.log_text())
    # line 4 is the syntax error; [hello3] after it must not be served
    st.write_functions("[hello]\n\n[swap]\n[broken\n\n[hello3]\npath = hello/hello\n")
    st.signal(signal.SIGHUP)
    text = st.wait_log(lambda t: re.search(r"functions\.ini:\d+:", t[pos:]), 2.0)
    new = st.log_text()[pos:]
    expect(text, "no `functions.ini:LINE: message` in the log 2 s after SIGHUP: %r" % new[-300:])
    m = re.search(r"functions\.ini:(\d+):", new)
    expect(m.group(1) == "4", "error names line %s, the bad line is 4: %r" % (
        m.group(1), new[m.start():m.start() + 120]))
    time.sleep(0.3)
    expect(st.novod_alive(), "novod died on a bad config")
    r = st.get("/fn/hello")
    expect(r.status == 200, "hello after the refused config: %r" % r)
    r = st.get("/fn/hello3")
    expect(r.status == 404, "a section of the refused config is served: %r" % r)
    r = st.get("/fn/swap")
    expect(r.status == 200, "swap after the refused config: %r" % r)


def t_new_section(st):
    st.write_functions(functions(extra="\n[fresh]\npath = hello/hello\n"))
    t0 = time.monotonic()
    st.signal(signal.SIGHUP)
    got = wait_for(lambda: st.get("/fn/fresh").status == 200, 2.0, 0.02)
    expect(got, "/fn/fresh not served 2 s after SIGHUP: %r" % st.get("/fn/fresh"))
    dt = time.monotonic() - t0
    expect(dt < 2.0, "served after %.2f s" % dt)


def t_swap(st):
    r = st.get("/fn/swap")
    expect(r.status == 200 and b"version-1" in r.body, "before the swap: %r" % r)
    dst = os.path.join(st.fdir, "swap", "swap")
    shutil.copy2(find_bin("swap2"), dst + ".new")
    os.rename(dst + ".new", dst)
    st.signal(signal.SIGHUP)
    t0 = time.monotonic()
    got = wait_for(lambda: b"version-2" in st.get("/fn/swap").body, 1.0, 0.01)
    expect(got, "still %r 1 s after rename + SIGHUP" % st.get("/fn/swap").body)
    dt = time.monotonic() - t0
    later = [st.get("/fn/swap").body for _ in range(8)]
    old = [b for b in later if b"version-2" not in b]
    expect(not old, "after version-2 (%.2f s), old or bad answers again: %r" % (dt, old[:2]))


def spawner_clones(st):
    """(pid, pid namespaces) of novod's children running `novod --spawner`:
    the spawners (one pid namespace, the host's) and their warm children
    (clones sharing a spawner's memory, so its cmdline, each pid 1 of a pid
    namespace of its own: more NSpid entries)."""
    out = []
    for pid in procs.pids():
        if procs.ppid(pid) != st.novod.pid:
            continue
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = f.read()
            with open("/proc/%d/status" % pid) as f:
                nspid = [l for l in f if l.startswith("NSpid:")]
        except OSError:
            continue
        if b"--spawner" in cmd and nspid:
            out.append((pid, len(nspid[0].split()) - 1))
    return out


def spawners(st):
    return [pid for pid, levels in spawner_clones(st) if levels == 1]


def warm_children(st):
    """The idle ones: alive, not yet a function."""
    return [pid for pid, levels in spawner_clones(st) if levels > 1 and procs.alive(pid)]


def fn_status(st, name="hello"):
    return json.loads(st.get("/novo-status", record=False).body)["functions"][name]


def t_warm_killed(st):
    """SIGKILL every idle warm child: the next requests get live ones, and the pool refills."""
    expect(wait_for(lambda: len(warm_children(st)) >= 2, 5), "no warm children found")
    before = fn_status(st)
    dead = warm_children(st)
    procs.kill_pids(dead)
    expect(wait_for(lambda: not any(procs.alive(p) for p in dead), 2),
           "killed warm children still running: %s" % dead)
    # at once, before novod's sweep (every 0.5 s) can find them dead
    got = [st.get("/fn/hello", record=False) for _ in range(6)]
    bad = [r for r in got if r.status != 200]
    expect(not bad, "%d of 6 requests after the kill failed, e.g. %r" % (len(bad), bad[:1]))
    full = wait_for(lambda: len(set(warm_children(st)) - set(dead)) >= 2, 5)
    expect(full, "pool not refilled: warm children %s" % warm_children(st))
    after = fn_status(st)
    expect(after["pool"]["spawn_failures"] == before["pool"]["spawn_failures"],
           "dead idle children counted as spawn failures: %r" % after["pool"])


def t_lost_until_deadline(st):
    """Its spawner stopped, its idle child killed: a request waits for a live child until
    timeout_ms and gets 504 (a timeout, counted), not 502; it serves again once resumed."""
    st.write_functions("[hello]\nwarm = 1\ntimeout_ms = 400\n")
    st.signal(signal.SIGHUP)
    one = wait_for(lambda: len(spawners(st)) == 1 and len(warm_children(st)) == 1, 5)
    expect(one, "spawners %s, warm children %s" % (spawners(st), warm_children(st)))
    sp, kids = spawners(st)[0], warm_children(st)
    before = fn_status(st)["timeouts"]
    os.kill(sp, signal.SIGSTOP)
    try:
        procs.kill_pids(kids)
        # dead, and asked for at once: novod's sweep (every 0.5 s) may not see it first
        expect(wait_for(lambda: not any(procs.alive(p) for p in kids), 2, 0.001),
               "child still alive")
        t0 = time.monotonic()
        r = st.get("/fn/hello", record=False)
        dt = time.monotonic() - t0
    finally:
        os.kill(sp, signal.SIGCONT)
    # if the sweep did drop the dead child first, the wait was for a slot: 504 too
    expect(r.status == 504 and (b"live warm child" in r.body or b"for a slot" in r.body),
           "got %r" % r)
    expect(0.35 < dt < 2, "answered after %.2f s, timeout_ms = 400" % dt)
    expect(fn_status(st)["timeouts"] == before + 1, "timeouts not counted")
    expect(wait_for(lambda: st.get("/fn/hello", record=False).status == 200, 3), "hello after SIGCONT")
    st.write_functions(functions())
    st.signal(signal.SIGHUP)
    expect(wait_for(lambda: st.get("/fn/swap", record=False).status == 200, 3), "swap back")


def t_refill_batches(st):
    """One request at a time: refills go warm/2 past warm (one wake-up of the pool thread serves
    several requests), idle never settles below warm, and no child is spawned only to be swept."""
    warm = fn_status(st)["pool"]["target"]
    slack = min(warm // 2, 2)
    expect(slack > 0, "hello has warm = %d: no slack to see" % warm)

    def settled():
        s = fn_status(st)
        return s if s["busy"] == 0 and s["warm"] >= warm else None
    before = wait_for(settled, 5)
    expect(before, "hello's pool not settled: %r" % fn_status(st))
    seen = []
    for _ in range(3 * (slack + 1)):
        expect(st.get("/fn/hello", record=False).status == 200, "hello failed")
        time.sleep(0.1)  # a refill asked for is done by now, on an idle machine
        s = wait_for(settled, 3)
        expect(s, "idle below warm 3 s after a request: %r" % fn_status(st))
        seen.append(s["warm"])
    time.sleep(1.2)  # two sweeps: nothing past what they tolerate
    after = fn_status(st)
    expect(max(seen) == warm + slack,
           "idle after each request %s, for warm = %d and slack %d" % (seen, warm, slack))
    spawned = after["pool"]["spawned"] - before["pool"]["spawned"]
    expect(spawned == len(seen) + after["warm"] - before["warm"],
           "%d spawned for %d requests, idle %d -> %d: some were swept" % (
               spawned, len(seen), before["warm"], after["warm"]))


def autogroup(pid):
    try:
        with open("/proc/%d/autogroup" % pid) as f:
            return f.read().split()  # ['/autogroup-N', 'nice', 'K']
    except OSError:
        return None


def t_spawner_priority(st):
    """Each spawner leads a scheduling group at nice -5; its warm children each lead their own at 0."""
    sp, kids = spawners(st), warm_children(st)
    expect(sp and kids, "spawners %s, warm children %s" % (sp, kids))
    if autogroup(sp[0]) is None or os.geteuid() != 0:
        # no autogroup in this kernel, or no CAP_SYS_NICE: nothing is set, nothing checked
        print("#   not checked: %s" % ("no /proc/PID/autogroup" if autogroup(sp[0]) is None
                                       else "novod is not root"))
        return
    groups = {p: autogroup(p) for p in sp + kids}
    expect(all(groups[p][1:] == ["nice", "-5"] for p in sp), "spawners: %r" % groups)
    expect(all(groups[p][1:] == ["nice", "0"] for p in kids), "warm children: %r" % groups)
    expect(len({g[0] for g in groups.values()}) == len(groups), "groups shared: %r" % groups)


def cpu_list(text):
    """"0-2,5" or "0,1,2,5" as a set of CPU numbers."""
    out = set()
    for part in text.strip().split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def allowed(pid):
    """The CPUs pid may run on, or None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            line = [l for l in f if l.startswith("Cpus_allowed_list:")][0]
    except (OSError, IndexError):
        return None
    return cpu_list(line.split(":", 1)[1])


def clones_of(st, name):
    """(spawner, idle warm children) of function NAME: those holding its binary open."""
    binary = os.path.join(st.fdir, name, name)

    def holds(pid):
        try:
            d = "/proc/%d/fd" % pid
            return any(os.readlink(os.path.join(d, fd)) == binary for fd in os.listdir(d))
        except OSError:
            return False
    sp = [p for p in spawners(st) if holds(p)]
    return (sp[0] if sp else None), [p for p in warm_children(st) if holds(p)]


def cpus_ran_on(r):
    expect(r.status == 200, "cpus: %r" % r)
    return cpu_list(r.body.decode())


def alone(st, n):
    """n requests to cpus one at a time, 0.15 s apart: past the 0.1 s novod waits once it
    has seen requests overlap (earlier tests'); 9 are three times warm + warm/2, so the
    pool is made again. The CPUs of the last."""
    for _ in range(n):
        got = cpus_ran_on(st.get("/fn/cpus", record=False))
        time.sleep(0.15)
    return got


def with_slow_in_flight(st, then):
    """then() while a 1.5 s request to cpus is in flight; the slow one's answer."""
    slow = []
    t = threading.Thread(target=lambda: slow.append(st.get("/fn/cpus?ms=1500", record=False)))
    t.start()
    try:
        busy = wait_for(lambda: fn_status(st, "cpus")["busy"] == 1, 2, 0.01)
        expect(busy, "the slow request never showed as busy")
        then()
    finally:
        t.join(10)
    expect(slow, "the slow request did not end")
    return slow[0]


def t_placement(st):
    """One request at a time: the spawner, its warm children and the function keep off the
    first CPU (not with cpu_affinity = off); a child taken while another request is in flight
    runs on every CPU, and the spawner's next refill is made on every CPU."""
    every = set(os.sched_getaffinity(0))
    if len(every) < 2:
        print("#   not checked: novod may use one CPU only")
        return
    off_first = every - {min(every)}
    alone(st, 9)
    got = cpus_ran_on(st.get("/fn/cpus", record=False))
    expect(got == off_first, "alone, the function ran on %s, not %s" % (got, off_first))
    sp, kids = clones_of(st, "cpus")
    expect(sp and kids, "cpus: spawner %s, warm children %s" % (sp, kids))
    where = {p: allowed(p) for p in [sp] + kids}
    expect(all(w == off_first for w in where.values()), "alone, on %r" % where)
    got = cpus_ran_on(st.get("/fn/anycpu", record=False))
    expect(got == every, "alone with cpu_affinity = off, it ran on %s, not %s" % (got, every))

    def overlapped():
        got = cpus_ran_on(st.get("/fn/cpus", record=False))
        expect(got == every, "with another in flight, the function ran on %s, not %s" % (got, every))
        wide = wait_for(lambda: allowed(sp) == every, 1, 0.01)
        expect(wide, "spawner still on %s after a refill with a request in flight" % allowed(sp))
    slow = with_slow_in_flight(st, overlapped)
    expect(cpus_ran_on(slow) == off_first, "the slow one, taken alone: %r" % (slow,))

    # a new function's first fill is made on every CPU, even alone
    st.install("fill", "cpus")
    st.write_functions(functions(extra="\n[fill]\n"))
    st.signal(signal.SIGHUP)
    try:
        made = wait_for(lambda: len(clones_of(st, "fill")[1]) >= 2, 5)
        expect(made, "no warm children of a new function 5 s after SIGHUP")
        sp, kids = clones_of(st, "fill")
        where = {p: allowed(p) for p in [sp] + kids}
        expect(all(w == every for w in where.values()), "first fill on %r" % where)
    finally:
        st.write_functions(functions())
        st.signal(signal.SIGHUP)


def restart_novod(st, extra=""):
    """novod stopped and started again with EXTRA in novod.ini's [server]; None once cpus
    answers 200, else why not."""
    st.novod.send_signal(signal.SIGTERM)
    st.novod.wait(10)
    st.write_novod_ini(extra)
    why = st.start_novod()
    if why is None and not wait_for(lambda: st.get("/fn/cpus", record=False).status == 200, 5, 0.05):
        why = "cpus did not answer 200 within 5 s"
    return why


def busy_polled(st):
    return fn_status(st, "cpus")["pool"]["busy_polled"]


def t_busy_poll(st):
    """Alone and off the first CPU, novod waits for the answer without sleeping (counted in
    busy_polled); not for a request taken with another in flight, nor with busy_poll_us = 0."""
    if len(os.sched_getaffinity(0)) < 2:
        print("#   not checked: novod may use one CPU only")
        return
    alone(st, 9)
    before = busy_polled(st)
    alone(st, 10)
    got = busy_polled(st) - before
    print("#   alone: %d of 10 busy polled (novod's thread was on the first CPU)" % got)
    expect(got >= 1, "alone: none of 10 requests busy polled")

    def overlapped():
        before = busy_polled(st)
        cpus_ran_on(st.get("/fn/cpus", record=False))
        expect(busy_polled(st) == before, "busy polled with another request in flight")
    with_slow_in_flight(st, overlapped)

    why = restart_novod(st, "busy_poll_us = 0\n")
    try:
        expect(why is None, "novod with busy_poll_us = 0: %s" % why)
        every = set(os.sched_getaffinity(0))
        got = alone(st, 19)
        expect(got == every - {min(every)}, "busy_poll_us = 0: placement still on, ran on %s" % got)
        expect(busy_polled(st) == 0, "busy_poll_us = 0: %d busy polled" % busy_polled(st))
    finally:
        why = restart_novod(st)
    expect(why is None, "novod restarted with the default busy_poll_us: %s" % why)


def t_spawner_killed(st):
    """SIGKILL every spawner under load: replaced, and no request fails."""
    fails, done = [], []
    ths = hello_load(st, fails, done, [0])
    old = spawners(st)
    expect(old, "no spawner process found")
    time.sleep(0.2)
    for pid in old:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # a retired pool's spawner, gone meanwhile
    for t in ths:
        t.join(120)
    expect(len(done) == 2, "load threads did not finish in 120 s")
    expect(not fails, "%d of 600 requests failed after the spawners were killed, e.g. %r" % (
        len(fails), fails[:2]))
    # the current functions' spawners come back; retired pools' do not
    new = wait_for(lambda: spawners(st) and not set(spawners(st)) & set(old), 5)
    expect(new, "spawners not replaced: before %s, now %s" % (old, spawners(st)))
    expect(st.wait_log(lambda t: "spawner restarted" in t), "no 'spawner restarted' in the log")
    expect(st.get("/fn/hello").status == 200, "hello after the restart")


def run(rep, st):
    rep.check("reload under load: 5 SIGHUPs, 600 requests, zero failed", t_load, st)
    rep.check("under load a child's ready line is read by its request, never logged as "
              "its stderr", t_ready_lines, st)
    rep.check("bad config on reload refused, logged file:line, old config serves", t_bad_config, st)
    rep.check("new section served within 2 s of SIGHUP", t_new_section, st)
    rep.check("binary swap (rename + SIGHUP): next requests get the new binary", t_swap, st)
    rep.check("warm children killed while idle: requests get live ones, pool refills", t_warm_killed, st)
    rep.check("no live warm child before timeout_ms: 504, not 502", t_lost_until_deadline, st)
    rep.check("refills in batches past warm, idle never below warm, none swept", t_refill_batches, st)
    rep.check("spawners at autogroup nice -5, warm children in groups of their own", t_spawner_priority, st)
    rep.check("alone: functions off the first CPU; with others in flight: on every CPU",
              t_placement, st)
    rep.check("alone: novod busy polls for the answer; not with others in flight, nor at "
              "busy_poll_us = 0", t_busy_poll, st)
    rep.check("spawners killed under load: replaced, zero failed requests", t_spawner_killed, st)
