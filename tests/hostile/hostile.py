#!/usr/bin/env python3
"""hostile.py - every attack of attacks.py through real nginx and novod.

    python3 tests/hostile/hostile.py --novod build/novod [--only NAME] [--keep]

One stack (tests/integration/stack.py) serves hello and one function per
attack, sandbox on, functions as nobody. For each attack: its control
(control.py) must escape, the served function must be contained, then
novod, nginx and hello must still serve. Prints `ok - ...`/`not ok - ...`
and `N passed, M failed`.
"""

import argparse
import os
import secrets
import shutil
import select
import signal
import socket
import subprocess
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, HERE)

import procs  # noqa: E402
from report import Report, expect  # noqa: E402
from stack import ROOT, Stack, wait_for  # noqa: E402

import control  # noqa: E402
import contained  # noqa: E402
from attacks import ATTACKS  # noqa: E402

BIN = os.path.join(ROOT, "build", "hostile")


class HostileStack(Stack):
    """A Stack whose novod.ini says what these tests rely on."""

    sandbox = "on"

    def write_novod_ini(self, extra=""):
        Stack.write_novod_ini(self, "sandbox = %s\nuser = nobody\n%s" % (self.sandbox, extra))


class Ctx:
    """What the {placeholders} of attacks.py stand for, and the targets."""

    def __init__(self, st):
        self.st = st
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.rand = {}
        self.decoy = subprocess.Popen(["/bin/sleep", "120"], preexec_fn=control.as_nobody(),
                                      stdin=subprocess.DEVNULL, start_new_session=True)

    def fmt(self, text, name, rand=None):
        """The confined function's {rand} is one per attack; a control's is fresh."""
        st = self.st
        pids = [self.decoy.pid] + [p.pid for p in (st.novod, st.nginx) if p]
        return text.format(fn=os.path.join(st.fdir, name), dir=st.dir,
                           rand=rand or self.rand.setdefault(name, secrets.token_hex(6)), port=self.port,
                           pids=".".join(map(str, pids)),
                           novod_pid=st.novod.pid if st.novod else 0)

    def env(self, att, rand=None):
        return {k: self.fmt(v, att.name, rand) for k, v in att.env.items()}

    def close(self):
        self.listener.close()
        if self.decoy.poll() is None:
            self.decoy.kill()
        self.decoy.wait(5)


def install(st):
    st.install_example("hello")
    secret = os.path.join(st.fdir, "hello", "secret.txt")
    with open(secret, "w") as f:
        f.write("hello's secret %s\n" % secrets.token_hex(8))
    os.chmod(secret, 0o644)  # nobody may read it: only Landlock says no
    for d in ("beats", "ctl-beats"):
        os.mkdir(os.path.join(st.dir, d))
        os.chmod(os.path.join(st.dir, d), 0o777)
    for att in ATTACKS:
        d = os.path.join(st.fdir, att.name)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        src = os.path.join(BIN, att.prog)
        if not os.access(src, os.X_OK):
            st.missing.append(src)
            continue
        shutil.copy2(src, os.path.join(d, att.name))
        os.chmod(os.path.join(d, att.name), 0o755)
    suid = os.path.join(st.fdir, "setuid", "suidhelper")
    shutil.copy2(os.path.join(BIN, "suidhelper"), suid)
    os.chown(suid, 0, 0)
    os.chmod(suid, 0o4755)
    os.mkdir(os.path.join(st.fdir, "mount", "mnt"))
    os.mkdir(os.path.join(st.fdir, "mount-cgi", "mnt"))


def functions_ini(ctx):
    text = "[hello]\n"
    for att in ATTACKS:
        text += "\n[%s]\nwarm = 1\n%s" % (att.name, ctx.fmt(att.conf, att.name))
        env = ctx.env(att)
        if env:
            text += "env = %s\n" % " ".join("%s=%s" % kv for kv in sorted(env.items()))
    return text


def t_reload_pid(st, ctx):
    """environ's env must hold novod's pid, known only once novod runs."""
    st.write_functions(functions_ini(ctx))
    st.signal(signal.SIGHUP)
    want = b"/proc/%d/" % st.novod.pid
    ok = wait_for(lambda: want in st.get("/fn/environ", record=False).body, 5, 0.2)
    expect(ok, "after SIGHUP, /fn/environ never tried %r: %r; log: %s" % (
        want, st.get("/fn/environ", record=False), st.tail_log(300)))


def t_control(ctx, att):
    env = control.cgi_env(att.name, ctx.fmt(att.query, att.name),
                           ctx.env(att, rand=secrets.token_hex(6)))
    if att.control in ("daemon", "sigterm"):
        env["TARGET"] = os.path.join(ctx.st.dir, "ctl-beats", att.name)
    try:
        escaped, detail = control.control(att.control, os.path.join(BIN, att.prog), env)
    finally:
        if env.get("TARGET", "").startswith("/tmp/novo-pwned-"):
            try:
                os.unlink(env["TARGET"])  # the control's own, proof it wrote
            except OSError:
                pass
    expect(escaped, "unconfined, the attack did not work, the test proves nothing: %s" % detail)
    if att.name == "connect":
        r, _, _ = select.select([ctx.listener], [], [], 2)
        expect(r, "the control said it connected, the listener saw nothing")
        ctx.listener.accept()[0].close()
        detail += "; listener accepted it"
    ctx.last_control = detail
    return detail


def t_serving(st, ctx, att):
    expect(st.novod_alive(), "novod died (exit %s): %s" % (st.novod.returncode, st.tail_stderr(300)))
    expect(st.nginx.poll() is None, "nginx died (exit %s)" % st.nginx.returncode)
    r = st.get("/fn/hello", timeout=10)
    expect(r.status == 200 and b"Hello" in r.body, "hello: %r" % r)


def run_attack(rep, st, ctx, att):
    label = "%s [%s]" % (att.name, att.layer)
    ctl = rep.check("control: %s escapes when run unconfined" % att.name, t_control, ctx, att)
    if ctl is None:
        rep.fail("%s contained" % label, "its control did not escape: proves nothing")
    else:
        detail = rep.check("%s contained" % label, contained.check, st, ctx, att)
        if detail:
            print("#   %s: %s | control: %s" % (att.name, detail, ctl), flush=True)
    rep.check("after %s: novod, nginx and hello still serve" % att.name, t_serving, st, ctx, att)


def body(rep, st, ctx, only):
    rep.check("novod learns its own pid for environ (SIGHUP reload)", t_reload_pid, st, ctx)
    for line in st.log_text().splitlines():
        if "seccomp" in line or "landlock" in line.lower():
            print("# novod: %s" % line[:300], flush=True)
            break
    for att in ATTACKS:
        if not only or att.name in only:
            run_attack(rep, st, ctx, att)
    rep.check("decoy (a nobody process outside) survived every attack",
              lambda: expect(procs.alive(ctx.decoy.pid), "decoy %d is gone" % ctx.decoy.pid))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--novod", default=os.path.join(ROOT, "build", "novod"))
    ap.add_argument("--only", action="append", help="run only this attack (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--sandbox-off", action="store_true",
                    help="self-check: serve with sandbox = off, where the attacks must escape "
                         "(never with killall: kill(-1) as nobody hits every nobody process)")
    args = ap.parse_args()
    if args.sandbox_off and (not args.only or any(
            a.prog == "killall" for a in ATTACKS if a.name in args.only)):
        ap.error("--sandbox-off needs --only without killall*: unconfined kill(-1) as nobody "
                 "hits every process of nobody on this machine")
    HostileStack.sandbox = "off" if args.sandbox_off else "on"
    rep = Report()
    print("# hostile suite, novod = %s, sandbox = %s" % (args.novod, HostileStack.sandbox), flush=True)
    st = HostileStack(args.novod, "hostile")
    ctx = Ctx(st)
    try:
        install(st)
        st.write_functions(functions_ini(ctx))
        why = ("not built: %s" % " ".join(st.missing)) if st.missing else st.start()
        if why:
            rep.fail("stack starts (novod + nginx, hello 200)", why)
        else:
            rep.ok("stack starts (novod + nginx, sandbox = %s, hello 200)" % st.sandbox)
            body(rep, st, ctx, args.only)
    finally:
        st.stop()
        ctx.close()
        left = [procs.describe(p) for p in st.leftovers()]
        procs.kill_pids(st.leftovers())
        if left:
            rep.fail("nothing of novod's tree left after it stopped", left)
        if args.keep:
            print("# kept %s" % st.dir, flush=True)
        else:
            st.cleanup()
    rep.summary()
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
