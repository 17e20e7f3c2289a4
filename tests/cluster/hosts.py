"""hosts.py - one novod per network namespace, each in a folder of its own.

Host i: <dir>/h<i>/ holds its copy of novod (bin/novod: every process
running it is ours), novod.ini, functions.ini, functions/whoami/whoami and
ran/, where whoami records each request it began (see whoami.c).
"""

import os
import shutil
import signal
import subprocess
import sys

# the integration suite's helpers (appended: this folder's modules win)
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from stack import wait_for  # noqa: E402,F401  (re-exported to the phases)

PORT = 9000


class Host:
    def __init__(self, i, top, net, novod, whoami):
        self.i = i
        self.name = "h%d" % i
        self.net = net
        self.dir = os.path.join(top, self.name)
        self.ran = os.path.join(self.dir, "ran")
        self.log = os.path.join(self.dir, "novod.log")
        self.ini = os.path.join(self.dir, "novod.ini")
        self.fini = os.path.join(self.dir, "functions.ini")
        self.bin = os.path.join(self.dir, "bin", "novod")
        self.proc = None
        self.sections = []
        for d in (self.dir, os.path.dirname(self.bin), self.ran):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        os.chmod(self.ran, 0o777)  # functions run as nobody
        shutil.copy2(novod, self.bin)
        self.install("whoami", whoami)
        self.write_novod_ini()
        self.add_section("whoami")

    @property
    def addr(self):
        return self.net.host_addr(self.i)

    @property
    def ns(self):
        return self.net.ns(self.i)

    def install(self, fn, binary):
        d = os.path.join(self.dir, "functions", fn)
        os.makedirs(d, exist_ok=True)
        for p in (os.path.dirname(d), d):
            os.chmod(p, 0o755)
        shutil.copy2(binary, os.path.join(d, fn))
        os.chmod(os.path.join(d, fn), 0o755)

    def write_novod_ini(self):
        with open(self.ini, "w") as f:
            f.write("[server]\n"
                    "listen        = %s:%d\n"
                    "allow         = %s\n"
                    "functions     = functions.ini\n"
                    "functions_dir = functions\n"
                    "status_path   = /novo-status\n"
                    "user          = nobody\n"
                    "log           = %s\n"
                    % (self.addr, PORT, self.net.root_addr(self.i), self.log))

    def add_section(self, fn):
        """Adds [fn] (the whoami binary under another name) to functions.ini."""
        self.sections.append(
            "[%s]\n"
            "syscalls   = @cgi @time\n"
            "env        = HOST=%s RAN=%s\n"
            "write      = %s\n"
            "timeout_ms = 8000\n" % (fn, self.name, self.ran, self.ran))
        tmp = self.fini + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(self.sections))
        os.rename(tmp, self.fini)

    def check_config(self):
        """novod -t: None when the files are good, else its message."""
        r = subprocess.run([self.bin, "-t", "-c", self.ini], capture_output=True,
                           text=True, timeout=10, stdin=subprocess.DEVNULL)
        return None if r.returncode == 0 else r.stderr.strip()

    def start(self):
        out = open(os.path.join(self.dir, "novod.stderr"), "ab")
        # ip netns exec execs novod: the PID we get is novod's own
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, self.bin, "-c", self.ini],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        out.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout):
        """Exit status, or None if still running after timeout seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Fast stop (SIGINT), then SIGKILL; only our own PID."""
        if not self.alive():
            return
        self.signal(signal.SIGINT)
        if self.wait_exit(3) is None:
            self.signal(signal.SIGKILL)
            self.wait_exit(3)

    def ran_ids(self):
        return set(os.listdir(self.ran))

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def leftovers(self):
        """PIDs of processes running a binary of this host's folder."""
        pids = []
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                exe = os.readlink("/proc/%s/exe" % p)
            except OSError:
                continue
            if exe.startswith(self.dir + "/"):
                pids.append(int(p))
        return pids
