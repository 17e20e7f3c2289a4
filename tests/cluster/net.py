"""net.py - the test's own network: namespaces, veth pairs, /30 links.

Host i (1..3) lives in netns novo-<tag>-h<i>, linked to the root namespace
by a veth pair: root side nv<tag>h<i> = 10.<b>.<i>.1/30, netns side eth0 =
10.<b>.<i>.2/30. The outsider netns novo-<tag>-x is linked to host 1 only
(10.<b>.5.1 in h1, 10.<b>.5.2 in x): it reaches h1's address without the
root namespace forwarding anything. The addresses exist on these links
only; <b> is chosen so that 10.<b>.0.0/16 overlaps no route or address of
the machine.
"""

import ipaddress
import subprocess

SECOND_OCTETS = (231, 232, 233, 234, 235, 236, 237, 238, 239)
OUTSIDER_LINK = 5


def ip(*args, ns=None, check=True):
    """Runs ip(8), in netns ns if given; its CompletedProcess."""
    cmd = ["ip"] + (["netns", "exec", ns, "ip"] if ns else []) + list(args)
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=10)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r


def used_networks():
    """Every IPv4 network the machine routes to or has an address in."""
    nets = []
    for line in ip("-4", "route", "show", "table", "all").stdout.splitlines():
        word = line.split()[0] if line.split() else ""
        if word in ("default", "broadcast", "local", "unreachable", "blackhole",
                    "prohibit", "throw"):
            word = line.split()[1] if len(line.split()) > 1 else ""
        try:
            nets.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            pass
    for line in ip("-4", "-o", "addr", "show").stdout.splitlines():
        parts = line.split()
        if "inet" in parts:
            nets.append(ipaddress.ip_interface(parts[parts.index("inet") + 1]).network)
    return nets


def pick_second_octet():
    """The first 10.<b>.0.0/16 that collides with nothing here, or None."""
    used = [n for n in used_networks() if n.prefixlen > 0]  # default route: 0/0
    for b in SECOND_OCTETS:
        cand = ipaddress.ip_network("10.%d.0.0/16" % b)
        if not any(cand.overlaps(n) for n in used):
            return b
    return None


class Net:
    def __init__(self, tag, nhosts):
        self.tag = tag
        self.nhosts = nhosts
        self.b = None
        self.made_ns = []
        self.made_links = []

    def ns(self, i):
        return "novo-%s-h%d" % (self.tag, i)

    @property
    def outsider(self):
        return "novo-%s-x" % self.tag

    def link(self, i):
        return "nv%sh%d" % (self.tag, i)

    def root_addr(self, i):
        return "10.%d.%d.1" % (self.b, i)

    def host_addr(self, i):
        return "10.%d.%d.2" % (self.b, i)

    def outsider_addr(self):
        return "10.%d.%d.2" % (self.b, OUTSIDER_LINK)

    def _add_ns(self, name):
        ip("netns", "add", name)
        self.made_ns.append(name)
        ip("link", "set", "lo", "up", ns=name)

    def setup(self):
        self.b = pick_second_octet()
        if self.b is None:
            raise RuntimeError("every 10.23x.0.0/16 collides with a route here")
        for i in range(1, self.nhosts + 1):
            ns, link = self.ns(i), self.link(i)
            self._add_ns(ns)
            ip("link", "add", link, "type", "veth", "peer", "name", "eth0",
               "netns", ns)
            self.made_links.append(link)
            ip("addr", "add", self.root_addr(i) + "/30", "dev", link)
            ip("link", "set", link, "up")
            ip("addr", "add", self.host_addr(i) + "/30", "dev", "eth0", ns=ns)
            ip("link", "set", "eth0", "up", ns=ns)
        self._setup_outsider()

    def _setup_outsider(self):
        x, h1 = self.outsider, self.ns(1)
        self._add_ns(x)
        ip("link", "add", "eth1", "netns", h1, "type", "veth", "peer", "name",
           "eth0", "netns", x)
        ip("addr", "add", "10.%d.%d.1/30" % (self.b, OUTSIDER_LINK), "dev",
           "eth1", ns=h1)
        ip("link", "set", "eth1", "up", ns=h1)
        ip("addr", "add", self.outsider_addr() + "/30", "dev", "eth0", ns=x)
        ip("link", "set", "eth0", "up", ns=x)
        ip("route", "add", self.host_addr(1) + "/32", "via",
           "10.%d.%d.1" % (self.b, OUTSIDER_LINK), ns=x)

    def teardown(self):
        """Deletes what setup made; returns the list of what is left."""
        for name in reversed(self.made_ns):
            ip("netns", "del", name, check=False)
        left = []
        have = ip("netns", "list", check=False).stdout
        for name in self.made_ns:
            if any(line.split()[0] == name for line in have.splitlines() if line):
                left.append("netns " + name)
        for link in self.made_links:
            # a veth goes with its netns, unless a process still holds it
            if ip("link", "show", link, check=False).returncode == 0:
                ip("link", "del", link, check=False)
                if ip("link", "show", link, check=False).returncode == 0:
                    left.append("link " + link)
        return left
