"""attacks.py - the table of attacks: program, config, the layer it proves.

Each attack is served as one function. `conf` is its functions.ini keys,
`env` its `env =` pairs (also given to the control), in which {fn} is the
function's folder, {dir} the stack's temp dir, {rand} a random token.

expect:   "blocked"   200 and the program's own `BLOCKED` line
          "violation" 502, novod's log names fn, req and `syscall`
          "daemon"    200, then the daemon's heartbeat must stop
          "timeout"   504, then every beat must stop
control:  how the same program runs unconfined (see control.py)
"""


class Attack:
    def __init__(self, name, prog, layer, conf="", env=None, query="",
                 expect="blocked", syscall=None, control="nobody"):
        self.name, self.prog, self.layer = name, prog, layer
        self.conf, self.env, self.query = conf, env or {}, query
        self.expect, self.syscall, self.control = expect, syscall, control


FILE = "syscalls = @cgi @file\n"

ATTACKS = [
    Attack("passwd", "readfile", "Landlock (open allowed by @file)",
           FILE, {"TARGET": "/etc/passwd"}),
    Attack("writeout", "writefile", "Landlock (open allowed by @file; /tmp is world-writable)",
           FILE, {"TARGET": "/tmp/novo-pwned-{rand}"}),
    Attack("otherfn", "readfile", "Landlock (hello's folder; the file is mode 0644)",
           FILE, {"TARGET": "{dir}/functions/hello/secret.txt"}),
    Attack("connect", "connect", "seccomp: socket -> EACCES with network = no (@net allowed)",
           "syscalls = @cgi @net\nnetwork = no\n", query="port={port}"),
    Attack("killall", "killall", "pid namespace: named pids ESRCH; Landlock: /proc unlisted (kill allowed: @process)",
           "syscalls = @cgi @process @file\n", query="pids={pids}", control="pidns"),
    Attack("killscan", "killall", "pid namespace: named pids ESRCH; Landlock: /proc unlisted (no kill(-1))",
           "syscalls = @cgi @process @file\n", query="minus1=0&pids={pids}", control="pidns"),
    Attack("killall-cgi", "killall", "seccomp (kill is not in @cgi)",
           "", query="pids={pids}", expect="violation", syscall="kill", control="pidns"),
    Attack("ptrace", "ptrace", "pid namespace: parent and named pids invisible; Landlock: /proc unlisted (ptrace allowed)",
           "syscalls = @cgi @process @file ptrace\n", query="pids={pids}", control="pidns"),
    Attack("environ", "environ", "uid switch and Landlock (/proc has no rule)",
           FILE, {"NOVOD_PID": "{novod_pid}"}, control="root"),
    Attack("procstat", "procstat", "/proc covered by an empty tmpfs (Landlock does not cover stat)",
           FILE, {"NOVOD_PID": "{novod_pid}"}),
    Attack("execsh", "execsh", "Landlock (execve is always allowed by seccomp)",
           "syscalls = @cgi @process\n"),
    Attack("mount", "mount", "capabilities: none in the child (mount allowed)",
           "syscalls = @cgi mount umount2\n", {"TARGET": "{fn}/mnt"}, control="mountns"),
    Attack("mount-cgi", "mount", "seccomp (mount is not in @cgi)",
           "", {"TARGET": "{fn}/mnt"}, expect="violation", syscall="mount", control="mountns"),
    Attack("userns", "userns", "max_user_namespaces = 0 below the spawner (unshare, setuid allowed)",
           "syscalls = @cgi @file @id unshare setuid\n"),
    Attack("setuid", "setuid", "no_new_privs (a setuid-root binary in its own folder)",
           "syscalls = @cgi @id\n", {"TARGET": "{fn}/suidhelper"}),
    Attack("iouring", "iouring", "seccomp (io_uring_setup)",
           "", expect="violation", syscall="io_uring_setup"),
    Attack("bpf", "bpf", "seccomp (bpf)", "", expect="violation", syscall="bpf", control="root"),
    Attack("keyctl", "keyctl", "seccomp (keyctl)", "", expect="violation", syscall="keyctl"),
    Attack("forkbomb", "forkbomb", "RLIMIT_NPROC (fork allowed: @process)",
           "syscalls = @cgi @process\nmax_concurrency = 2\n", query="cap=200"),
    Attack("membomb", "membomb", "RLIMIT_DATA (memory_mb = 64)",
           "memory_mb = 64\n", query="mb=512"),
    Attack("fdbomb", "fdbomb", "RLIMIT_NOFILE (dup allowed: @file)",
           FILE, query="n=1000", control="nofile"),
    Attack("daemon", "daemon", "pid namespace: its end kills the tree (fork, setsid allowed)",
           "syscalls = @cgi @process @file @time\nwrite = {dir}/beats\n",
           {"TARGET": "{dir}/beats/daemon"}, expect="daemon", control="daemon"),
    Attack("sigterm", "sigterm", "timeout kills the pid namespace (SIGKILL, not SIGTERM)",
           "syscalls = @cgi @process @file @time\nwrite = {dir}/beats\ntimeout_ms = 1000\n",
           {"TARGET": "{dir}/beats/sigterm"}, expect="timeout", control="sigterm"),
]
