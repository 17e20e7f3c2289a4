"""cluster.py - three novod hosts in network namespaces behind one nginx.

    python3 cluster.py TAG NOVOD WHOAMI

Makes the namespaces and links (net.py), starts a novod in each (hosts.py)
and nginx in the root namespace (balancer.py), runs the checks
(phases_*.py), then tears everything down, also on failure or on a
signal, and checks that nothing is left. Last line: `N passed, M failed`.
"""

import fcntl
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback

from balancer import Balancer
from hosts import Host, wait_for
from net import Net
from phases_basic import allow_list, host_answers, rollout, spread
from phases_drain import drain, drain_fast
from phases_fail import kill
from report import Report

LOCK = "/run/lock/novo-cluster.lock"
NHOSTS = 3


class Stop(Exception):
    pass


def on_signal(sig, frame):
    raise Stop("signal %d" % sig)


def take_lock(r):
    """One cluster test at a time on this machine (addresses, names)."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    end = time.monotonic() + 300
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > end:
                raise Stop("another cluster test holds %s" % LOCK)
            time.sleep(0.5)


class Cluster:
    def __init__(self, r, tag, novod, whoami):
        self.r, self.whoami = r, whoami
        self.top = tempfile.mkdtemp(prefix="novo-cluster-%s-" % tag)
        os.chmod(self.top, 0o755)
        self.net = Net(tag, NHOSTS)
        self.hosts = []
        self.lb = None
        self.novod = novod

    def setup(self):
        self.net.setup()
        self.r.note("links: %s" % ", ".join(
            "%s %s/30 <-> %s %s" % (self.net.link(i), self.net.root_addr(i),
                                    self.net.ns(i), self.net.host_addr(i))
            for i in range(1, NHOSTS + 1)))
        self.hosts = [Host(i, self.top, self.net, self.novod, self.whoami)
                      for i in range(1, NHOSTS + 1)]
        for h in self.hosts:
            h.start()
        self.lb = Balancer(self.top, self.hosts)
        err = self.lb.start()
        self.r.check(err is None, "setup: nginx on 127.0.0.1:%d balancing "
                     "over %s" % (self.lb.port, " ".join(
                         "%s:9000" % h.addr for h in self.hosts)), str(err))
        up = [h.name for h in self.hosts
              if wait_for(lambda: host_answers(self, h, "whoami",
                                               "up-" + h.name), 10, 0.1)]
        return self.r.check(err is None and len(up) == NHOSTS,
                            "setup: each novod answers in its namespace "
                            "(%s)" % " ".join(up),
                            "see %s/h*/novod.log" % self.top)

    def teardown(self):
        if self.lb:
            self.lb.stop()
        for h in self.hosts:
            h.stop()
        left = []
        for h in self.hosts:
            for pid in h.leftovers():
                left.append(pid)
                os.kill(pid, signal.SIGKILL)  # runs our copy: ours
        self.r.check(not left, "teardown: nginx and every novod stopped, "
                     "no process of the test left", "had to kill %s" % left)
        still = self.net.teardown()
        self.r.check(not still, "teardown: namespaces and veth pairs "
                     "deleted", "left: %s" % still)


def main():
    tag, novod, whoami = sys.argv[1], sys.argv[2], sys.argv[3]
    r = Report()
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    c = None
    try:
        lock = take_lock(r)
        c = Cluster(r, tag, novod, whoami)
        r.note("work folder %s" % c.top)
        if c.setup():
            for phase in (spread, allow_list, rollout, kill, drain, drain_fast):
                phase(c)
    except Stop as e:
        r.check(False, "interrupted", str(e))
    except Exception as e:  # a bug or a broken set-up: say it, then clean up
        for line in traceback.format_exc().splitlines():
            r.note(line)
        r.check(False, "cluster test crashed", "%s: %s" % (type(e).__name__, e))
    finally:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if c:
            c.teardown()
            if r.failed == 0:
                shutil.rmtree(c.top, ignore_errors=True)
            else:
                r.note("logs kept in %s" % c.top)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
