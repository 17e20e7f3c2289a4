"""drain_stress.py - repeated drains under a fast load (not part of make test).

    python3 tests/cluster/drain_stress.py ROUNDS MS METHOD   (as root)

Sets up the cluster of cluster.py, then ROUNDS times: 32 keep-alive
clients send METHOD (GET or POST) requests with an MS ms function, h3 gets
SIGTERM 1.5 s in, and the round prints how many failed (with their status)
and how many ran on two hosts; h3 is restarted between rounds. Used to
chase the drain races docs/scaling.md lists. Tears everything down.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import cluster
from hosts import wait_for
from load import Load
from phases_basic import host_answers, ran_where
from report import Report

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rounds, ms, method = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    work = tempfile.mkdtemp(prefix="novo-cluster-stress-")
    whoami = os.path.join(work, "whoami")
    subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-static", "-o",
                    whoami, os.path.join(HERE, "whoami.c")], check=True)
    r = Report()
    c = cluster.Cluster(r, str(os.getpid()),
                        os.path.join(HERE, "..", "..", "build", "novod"), whoami)
    try:
        if not c.setup():
            return 1
        h3 = c.hosts[2]
        for n in range(rounds):
            ld = Load(c.lb.port, "whoami", "st%d" % n, clients=32, ms=ms,
                      methods=(method,), seconds=3.0,
                      max_requests=20000).start()
            time.sleep(1.5)
            h3.signal(signal.SIGTERM)
            st = h3.wait_exit(15)
            ld.join()
            res, where = ld.results, ran_where(c)
            bad = [(x.id, x.status, x.error) for x in res if not x.ok]
            twice = sum(1 for x in res if len(where.get(x.id, [])) > 1)
            print("round %d: %d %s, %d by h3, exit %s, failed %d %s, ran "
                  "twice %d" % (n, len(res), method, sum(
                      1 for x in res if x.host == "h3"), st, len(bad),
                      bad[:4], twice), flush=True)
            h3.start()
            wait_for(lambda: host_answers(c, h3, "whoami", "re%d" % n), 10)
            time.sleep(5.5)  # past nginx's fail_timeout
    finally:
        c.teardown()
        shutil.rmtree(work, ignore_errors=True)
        print("logs in", c.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
