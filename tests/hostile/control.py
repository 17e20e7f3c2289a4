"""control.py - the negative controls: each attack program run unconfined.

The program runs as a plain process with the CGI environment novod would
give it. Destructive ones run where they can do no harm: kill(-1) and
ptrace in a throwaway user + pid namespace with a decoy to hit, mount in a
private mount namespace; the bombs cap themselves. Every wait is bounded.
Returns (escaped, detail).
"""

import os
import re
import resource
import signal
import subprocess
import time

NOBODY = 65534
RESULT_RE = re.compile(rb"^(ESCAPED|BLOCKED|SPAWNED) ?(.*)$", re.M)

# sh inside the throwaway namespaces: a decoy, the attack aimed at it, then
# the decoy's fate (137: SIGKILLed by the attack; 143: our SIGTERM).
PIDNS_SH = ('/bin/sleep 30 & D=$!; QUERY_STRING="${QUERY_STRING%%pids=*}pids=$D" "$0"; '
            'kill -TERM $D 2>/dev/null; wait $D; echo "DECOY status=$?"')


def cgi_env(name, query, pairs):
    env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
           "SCRIPT_NAME": "/fn/" + name, "PATH_INFO": "", "QUERY_STRING": query,
           "SERVER_NAME": "novotest", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
           "SERVER_SOFTWARE": "nginx", "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": ""}
    env.update(pairs)
    return env


def result_line(out):
    """(word, detail) of the program's result line, or (None, what it said)."""
    m = RESULT_RE.search(out)
    if not m:
        return None, out[-200:].decode("utf-8", "replace")
    return m.group(1).decode(), m.group(2).decode("utf-8", "replace")


def as_nobody(nofile=None):
    def pre():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    return pre


def run(argv, env, pre=None, timeout=20):
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, preexec_fn=pre, cwd="/", timeout=timeout)
    return p.stdout


def plain(prog, env, pre):
    return _word(run([prog], env, pre))


def pidns(prog, env):
    """In a new user + pid namespace (root inside), a decoy sleep as target."""
    out = run(["unshare", "--user", "--map-root-user", "--pid", "--fork",
               "--mount-proc", "--kill-child", "sh", "-c", PIDNS_SH, prog], env)
    word, detail = result_line(out)
    m = re.search(rb"DECOY status=(\d+)", out)
    decoy = m.group(1).decode() if m else "?"
    detail += "; decoy %s" % {"137": "SIGKILLed", "143": "untouched"}.get(decoy, decoy)
    if os.path.basename(prog) == "killall":
        return word == "ESCAPED" and decoy == "137", detail
    return word == "ESCAPED", detail


def mountns(prog, env):
    """In a private mount namespace: the tmpfs vanishes with it."""
    return _word(run(["unshare", "--mount", "--propagation", "private", prog], env))


def _word(out):
    word, detail = result_line(out)
    return word == "ESCAPED", detail


def beats(path):
    try:
        with open(path) as f:
            return f.read().split("\n")[:-1]
    except OSError:
        return []


def kill_beaters(path, exe):
    """SIGKILLs the pids of the beat lines, if they still run our program."""
    for line in beats(path):
        pid = int(line.split()[1])
        try:
            if os.readlink("/proc/%d/exe" % pid) == exe:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def daemon(prog, env):
    """Runs it; its daemon escaped when the beat goes on after it returned."""
    path = env["TARGET"]
    word, detail = result_line(run([prog], env, as_nobody()))
    time.sleep(0.4)
    n1 = len(beats(path))
    time.sleep(1.0)
    n2 = len(beats(path))
    kill_beaters(path, prog)
    return (word == "SPAWNED" and n2 > n1,
            "%s; %d beats in the second after it returned" % (detail, n2 - n1))


def sigterm(prog, env):
    """SIGTERM to its process group after 1 s: both must go on beating."""
    path = env["TARGET"]
    p = subprocess.Popen([prog], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, preexec_fn=as_nobody(), cwd="/",
                         start_new_session=True)
    try:
        time.sleep(1.0)
        os.killpg(p.pid, signal.SIGTERM)
        time.sleep(0.3)
        n1 = len(beats(path))
        time.sleep(0.6)
        late = beats(path)[n1:]
        who = sorted(set(l.split()[0] for l in late))
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(5)
    return (who == ["child", "parent"],
            "after SIGTERM, beats from %s" % (" and ".join(who) or "nobody"))


def control(kind, prog, env):
    if kind == "nobody":
        return plain(prog, env, as_nobody())
    if kind == "nofile":
        return plain(prog, env, as_nobody(4096))
    if kind == "root":
        return plain(prog, env, None)
    if kind == "pidns":
        return pidns(prog, env)
    if kind == "mountns":
        return mountns(prog, env)
    if kind == "daemon":
        return daemon(prog, env)
    if kind == "sigterm":
        return sigterm(prog, env)
    raise ValueError("unknown control %r" % kind)
