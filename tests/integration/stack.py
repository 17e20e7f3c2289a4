"""stack.py - one novod and one nginx in a temp dir of their own.

Every process here is started by us and stopped by its PID; every wait is
bounded. A Stack copies the binaries it serves (and novod itself) into its
temp dir, so that any process running one of them is known to be ours.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import procs
import web

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                          r"runtime error:|SUMMARY: \w*Sanitizer")


def find_bin(name):
    """build/testfn/NAME/NAME or functions/NAME/NAME, or None."""
    for d in ("build/testfn", "functions"):
        p = os.path.join(ROOT, d, name, name)
        if os.access(p, os.X_OK):
            return p
    return None


def wait_for(pred, timeout, step=0.05):
    """Polls pred() until it is true or timeout seconds pass; its last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


class Stack:
    def __init__(self, novod, tag):
        self.novod_src = os.path.abspath(novod)
        self.dir = tempfile.mkdtemp(prefix="novo-it-%s-" % tag)
        os.chmod(self.dir, 0o755)  # functions run as `user`; they must reach their folder
        self.fdir = os.path.join(self.dir, "functions")
        os.mkdir(self.fdir)
        os.chmod(self.fdir, 0o755)
        self.sock = os.path.join(self.dir, "novod.sock")
        self.log = os.path.join(self.dir, "novod.log")
        self.ini = os.path.join(self.dir, "novod.ini")
        self.fini = os.path.join(self.dir, "functions.ini")
        self.novod_bin = os.path.join(self.dir, "bin", "novod")
        os.mkdir(os.path.dirname(self.novod_bin))
        shutil.copy2(self.novod_src, self.novod_bin)
        self.token = "novo-secret-%d-%s" % (os.getpid(), os.path.basename(self.dir))
        self.port = None
        self.novod = None
        self.nginx = None
        self.responses = []  # (path, Resp) of every answered request
        self.missing = []    # binaries asked for and not built

    # --- files -----------------------------------------------------------
    def install(self, dirname, binary):
        """Copies build/testfn|functions/BINARY to functions/DIRNAME/DIRNAME."""
        src = find_bin(binary)
        d = os.path.join(self.fdir, dirname)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        if src is None:
            self.missing.append(binary)
            return None
        dst = os.path.join(d, dirname)
        shutil.copy2(src, dst)
        os.chmod(dst, 0o755)
        return dst

    def install_example(self, name):
        """Copies the whole folder functions/NAME (binary and data) into ours."""
        src = os.path.join(ROOT, "functions", name)
        dst = os.path.join(self.fdir, name)
        if not os.access(os.path.join(src, name), os.X_OK):
            self.missing.append("functions/%s/%s" % (name, name))
            return
        shutil.copytree(src, dst, symlinks=False, dirs_exist_ok=True)
        for d, _, files in os.walk(dst):
            os.chmod(d, 0o755)

    def write_functions(self, text):
        tmp = self.fini + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.fini)

    def write_novod_ini(self, extra=""):
        with open(self.ini, "w") as f:
            f.write("[server]\n"
                    "listen        = unix:%s\n"
                    "functions     = functions.ini\n"
                    "functions_dir = functions\n"
                    "status_path   = /novo-status\n"
                    "listen_mode   = 0666\n"
                    "log           = %s\n%s" % (self.sock, self.log, extra))

    def write_nginx_conf(self):
        self.port = web.free_port()
        d = self.dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        for t in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"):
            os.makedirs(os.path.join(d, "ngx", t), exist_ok=True)
        loc = ("include /etc/nginx/fastcgi_params; fastcgi_pass novod; "
               "fastcgi_keep_conn on; fastcgi_read_timeout 60s;")
        conf = """%(user)sworker_processes 1;
error_log %(d)s/nginx-error.log info;
pid %(d)s/nginx.pid;
events { worker_connections 512; }
http {
    access_log %(d)s/nginx-access.log;
    client_body_temp_path %(d)s/ngx/client_body;
    fastcgi_temp_path %(d)s/ngx/fastcgi;
    proxy_temp_path %(d)s/ngx/proxy;
    uwsgi_temp_path %(d)s/ngx/uwsgi;
    scgi_temp_path %(d)s/ngx/scgi;
    client_max_body_size 20m;
    upstream novod { server unix:%(sock)s; keepalive 16; }
    server {
        listen 127.0.0.1:%(port)d;
        server_name novotest;
        location /fn/ { %(loc)s }
        location = /novo-status { allow 127.0.0.1; deny all; %(loc)s }
    }
}
""" % {"user": user, "d": d, "sock": self.sock, "port": self.port, "loc": loc}
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)

    # --- processes -------------------------------------------------------
    def novod_env(self):
        env = dict(os.environ)
        env["NOVO_TEST_SECRET"] = self.token
        return env

    def start_novod(self):
        """Starts novod; returns None when its socket answers, else why not."""
        if getattr(self, "novod_out", None):
            self.novod_out.close()
        self.novod_out = open(os.path.join(self.dir, "novod.stderr"), "ab")
        self.novod = subprocess.Popen(
            [self.novod_bin, "-c", self.ini], stdin=subprocess.DEVNULL,
            stdout=self.novod_out, stderr=self.novod_out, env=self.novod_env(),
            start_new_session=True)
        up = wait_for(lambda: self.novod.poll() is not None or web.unix_open(self.sock), 15)
        if self.novod.poll() is not None:
            return "novod exited with %s: %s" % (self.novod.returncode, self.tail_stderr())
        if not up:
            return "novod socket %s not accepting after 15 s" % self.sock
        return None

    def start_nginx(self):
        self.write_nginx_conf()
        self.nginx_out = open(os.path.join(self.dir, "nginx.stderr"), "ab")
        self.nginx = subprocess.Popen(
            ["nginx", "-p", self.dir, "-e", os.path.join(self.dir, "nginx-error.log"),
             "-c", os.path.join(self.dir, "nginx.conf"), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL, stdout=self.nginx_out, stderr=self.nginx_out,
            start_new_session=True)
        up = wait_for(lambda: self.nginx.poll() is not None or web.port_open(self.port), 10)
        if self.nginx.poll() is not None or not up:
            return "nginx did not start: %s" % self.read(os.path.join(self.dir, "nginx-error.log"))[-500:]
        return None

    def start(self, probe="/fn/hello"):
        """novod, then nginx, then probe answers 200 (warm pool up). None or why not."""
        self.write_novod_ini()
        why = self.start_novod() or self.start_nginx()
        if why:
            return why
        r = wait_for(lambda: self.get(probe, record=False).status == 200, 15, 0.1)
        if not r:
            return "%s never answered 200: %r; log: %s" % (
                probe, self.get(probe, record=False), self.tail_log())
        return None

    def stop(self):
        """Stops nginx and novod (ours only), then anything left of novod's tree."""
        for p, sig in ((self.nginx, signal.SIGQUIT), (self.novod, signal.SIGTERM)):
            if p is not None and p.poll() is None:
                p.send_signal(sig)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        procs.kill_pids(self.leftovers())
        for f in ("novod_out", "nginx_out"):
            if getattr(self, f, None):
                getattr(self, f).close()

    def leftovers(self):
        """Live processes of this stack's novod tree (its binaries, its marker)."""
        return [p for p in set(procs.by_exe_prefix(self.dir) +
                               procs.by_environ(self.token.encode()))
                if procs.alive(p)]

    def novod_alive(self):
        return self.novod is not None and self.novod.poll() is None

    def signal(self, sig):
        self.novod.send_signal(sig)

    def save_logs(self):
        """Copies the logs to /tmp/novo-it-logs-PID/NAME (kept after a failure)."""
        dst = os.path.join(tempfile.gettempdir(), "novo-it-logs-%d" % os.getpid(),
                           os.path.basename(self.dir))
        os.makedirs(dst, exist_ok=True)
        for f in ("novod.log", "novod.log.1", "novod.stderr", "nginx-error.log",
                  "functions.ini", "novod.ini"):
            if os.path.exists(os.path.join(self.dir, f)):
                shutil.copy(os.path.join(self.dir, f), dst)
        return dst

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- requests and logs -----------------------------------------------
    def get(self, path, record=True, **kw):
        return web.request(self.port, path, record=self.responses if record else None, **kw)

    @staticmethod
    def read(path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_text(self):
        return self.read(self.log)

    def tail_log(self, n=600):
        return self.log_text()[-n:]

    def tail_stderr(self, n=600):
        return self.read(os.path.join(self.dir, "novod.stderr"))[-n:]

    def sanitizer_report(self):
        text = self.read(os.path.join(self.dir, "novod.stderr")) + self.log_text()
        m = SANITIZER_RE.search(text)
        return text[max(0, m.start() - 200):m.start() + 800] if m else None

    def wait_log(self, pred, timeout=2.0):
        """Polls the log until pred(text) is true; returns the last text seen or None."""
        found = wait_for(lambda: pred(self.log_text()), timeout)
        return self.log_text() if found else None
