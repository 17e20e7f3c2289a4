"""procs.py - looking at processes through /proc (as root we see them all)."""

import os
import signal


def pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def descendants(root):
    children = {}
    for p in pids():
        children.setdefault(ppid(p), []).append(p)
    out, todo = [], [root]
    while todo and len(out) < 100000:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def by_exe_prefix(prefix):
    out = []
    for p in pids():
        try:
            if os.readlink("/proc/%d/exe" % p).startswith(prefix):
                out.append(p)
        except OSError:
            pass
    return out


def by_environ(needle):
    """Processes whose environment contains the bytes needle."""
    out = []
    for p in pids():
        try:
            with open("/proc/%d/environ" % p, "rb") as f:
                if needle in f.read():
                    out.append(p)
        except OSError:
            pass
    return [p for p in out if p != os.getpid()]


def describe(pid):
    """"pid exe ppid=N argv", for messages."""
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
    except OSError:
        exe = "?"
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        argv = "?"
    return "%d %s ppid=%s [%s]" % (pid, exe.split("/")[-1], ppid(pid), argv[:60])


def thread_names(pid):
    """The comm of each of pid's threads (what ps -L and top -H show)."""
    names = []
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                names.append(f.read().strip())
        except OSError:
            pass  # a thread that ended meanwhile
    return names


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def kill_pids(lst):
    for p in set(lst):
        if p != os.getpid():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
