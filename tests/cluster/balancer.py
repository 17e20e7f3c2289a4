"""balancer.py - nginx in the root namespace, in front of the hosts.

One server balances /fn/ over the upstream of every host, with the
settings docs/scaling.md explains (the same as conf/nginx-cluster.conf,
shorter timeouts so the test stays short). One more server per host
passes straight to that host, so the test can ask a given host.
"""

import os
import socket
import subprocess

from hosts import wait_for

ACCESS_FORMAT = ('$arg_id $request_method $status "$upstream_addr" '
                 '"$upstream_status" $request_time')

CONF = """user root;
worker_processes 1;
daemon off;
error_log %(d)s/nginx-error.log info;
pid %(d)s/nginx.pid;
events { worker_connections 1024; }
http {
    log_format cluster '%(fmt)s';
    access_log %(d)s/nginx-access.log cluster;
    client_body_temp_path %(d)s/ngx/client_body;
    fastcgi_temp_path %(d)s/ngx/fastcgi;
    proxy_temp_path %(d)s/ngx/proxy;
    uwsgi_temp_path %(d)s/ngx/uwsgi;
    scgi_temp_path %(d)s/ngx/scgi;

    upstream novo_cluster {
        least_conn;
%(servers)s
        keepalive 32;
    }
    server {
        listen 127.0.0.1:%(port)d;
        location /fn/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass novo_cluster;
            fastcgi_keep_conn on;
            fastcgi_next_upstream error timeout;
            fastcgi_next_upstream_tries 3;
            fastcgi_next_upstream_timeout 10s;
            fastcgi_connect_timeout 2s;
            fastcgi_read_timeout 30s;
        }
    }
%(direct)s
}
"""

DIRECT = """    server {
        listen 127.0.0.1:%(port)d;
        location /fn/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass %(addr)s;
            fastcgi_read_timeout 30s;
        }
    }
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Balancer:
    def __init__(self, top, hosts):
        self.dir = os.path.join(top, "nginx")
        self.hosts = hosts
        self.port = free_port()
        self.direct = {h.name: free_port() for h in hosts}
        self.proc = None
        for t in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.dir, "ngx", t), exist_ok=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.access_log = os.path.join(self.dir, "nginx-access.log")
        self.error_log = os.path.join(self.dir, "nginx-error.log")
        self._write()

    def _write(self):
        servers = "\n".join(
            "        server %s:9000 max_fails=3 fail_timeout=5s;" % h.addr
            for h in self.hosts)
        direct = "".join(DIRECT % {"port": self.direct[h.name],
                                   "addr": "%s:9000" % h.addr}
                         for h in self.hosts)
        with open(self.conf, "w") as f:
            f.write(CONF % {"d": self.dir, "fmt": ACCESS_FORMAT, "port": self.port,
                            "servers": servers, "direct": direct})

    def start(self):
        """Starts nginx; None when it answers, else why not."""
        r = subprocess.run(["nginx", "-t", "-q", "-c", self.conf],
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            return "nginx -t: " + r.stderr.strip()
        err = open(os.path.join(self.dir, "nginx.stderr"), "ab")
        self.proc = subprocess.Popen(["nginx", "-c", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=err,
                                     stderr=err)
        err.close()

        def up():
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return True
            except OSError:
                return False
        if not wait_for(up, 5):
            return "nginx does not answer on port %d" % self.port
        return None

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # the master, by its PID: it takes its workers
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def access_entries(self):
        """{id: (method, status, upstream_addr, upstream_status)}."""
        out = {}
        try:
            with open(self.access_log) as f:
                lines = f.read().splitlines()
        except OSError:
            return out
        for line in lines:
            parts = line.split('"')
            head = parts[0].split()
            if len(parts) < 4 or len(head) < 3:
                continue
            out[head[0]] = (head[1], head[2], parts[1], parts[3])
        return out
