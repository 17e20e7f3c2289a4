# report.awk - bench/run.sh's markdown report, from its four files:
#   results.tsv  target fn conns requests duration_us p50_us p99_us non2xx sockerr load round
#                (one line per round: the table gives the median of each figure)
#   cold.tsv     fn ready_ms first_ms steady_curl_ms steady_wrk_p50_ms over_1.5x steady_n
#   memory.tsv   when novod_rss_kb novod_hwm_kb novod_pss_kb, then for the warm
#                children and for the spawners: count pss_kb private_kb pagetables_kb
#   floor.tsv    loops runs_per_s p50_ms p99_ms (build/floor: hello alone)
# Variables: fib_n, warm, mem_fns, mem_warm, rss_max_kb.

function ms(us) { return sprintf("%.3f", us / 1000) }
function x(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
function verdict(ok) { return ok ? "**PASS**" : "**MISS**" }

FILENAME ~ /results/ {
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in nround))
		rows[++nrows] = k
	n = ++nround[k]
	all_rps[k, n] = $5 > 0 ? $4 / ($5 / 1e6) : 0
	all_p50[k, n] = $6
	all_p99[k, n] = $7
	non2xx[k] += $8
	sockerr[k] += $9
	if (!(k in load) || $10 > load[k])
		load[k] = $10
	if ($8 > 0 || $9 > 0 || $4 == 0)
		bad = bad sprintf("%s %s c=%s: %d non-2xx, %d socket errors; ",
			$1, $2, $3, $8, $9)
	next
}
FILENAME ~ /cold/ {
	ncold++
	cold[ncold] = $0
	next
}
FILENAME ~ /memory/ {
	mem[$1] = $0
	next
}
FILENAME ~ /floor/ {
	floor_rps[$1] = $2
	floor_p50[$1] = $3
	floor_loops = $1
	next
}

# median(a, k, n): of a[k, 1..n]; also sets lo and hi.
function median(a, k, n,   v, i, j, t) {
	for (i = 1; i <= n; i++)
		v[i] = a[k, i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	lo = v[1]
	hi = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function medians(   i, k) {
	for (i = 1; i <= nrows; i++) {
		k = rows[i]
		p50[k] = median(all_p50, k, nround[k])
		p99[k] = median(all_p99, k, nround[k])
		rps[k] = median(all_rps, k, nround[k])
		span[k] = nround[k] > 1 ? sprintf("%.0f–%.0f (%d)", lo, hi, nround[k]) : "(1)"
	}
}

END {
	medians()
	if (bad != "")
		printf "**!!! NON-2XX OR FAILED REQUESTS: %s THESE FIGURES ARE NOT VALID !!!**\n\n", bad
	print "| target | function | conns | req/s | p50 ms | p99 ms | × fcgiwrap (req/s) | × nginx ceiling | non-2xx | load | req/s of the rounds |"
	print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= nrows; i++) {
		k = rows[i]
		split(k, f, SUBSEP)
		fw = "fcgiwrap" SUBSEP f[2] SUBSEP f[3]
		ce = "ceiling" SUBSEP "hello" SUBSEP f[3]
		n2 = non2xx[k] + 0
		if (sockerr[k] > 0)
			n2 = n2 " (+" sockerr[k] " socket errors)"
		if (non2xx[k] > 0 || sockerr[k] > 0)
			n2 = "**" n2 " !!!**"
		fn = f[2] == "fib" ? "fib(" fib_n ")" : f[2]
		printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n",
			f[1], fn, f[3], rps[k], ms(p50[k]), ms(p99[k]),
			x(rps[k], rps[fw]), x(rps[k], rps[ce]), n2, load[k], span[k]
	}
	print ""
	cold_report()
	mem_report()
	floor_report()
	targets()
}

function cold_report(   i, c, worst, ratio, n, j, t) {
	if (ncold == 0) {
		print "Cold start: **not measured** (see the run's log)."
		print ""
		return
	}
	print "Cold start (a function added by SIGHUP; first request vs its steady state, both timed by curl -w over a new connection to nginx):"
	print ""
	for (i = 1; i <= ncold; i++) {
		split(cold[i], c, " ")
		printf "- %s: pool full %.1f ms after SIGHUP; first request %.3f ms; steady median %.3f ms (curl; %d of its %d requests were themselves over 1.5 × that median), p50 %s ms (wrk -c1): first = **%s × steady**\n",
			c[1], c[2], c[3], c[4], c[6], c[7], c[5], x(c[3], c[4])
		ratio[++n] = c[4] > 0 ? c[3] / c[4] : 99
		if (ratio[n] > worst)
			worst = ratio[n]
		if (ratio[n] > 1.5)
			cold_over++
	}
	# median of the rounds: one sample each, on a machine that may be noisy
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && ratio[j - 1] > ratio[j]; j--) {
			t = ratio[j]; ratio[j] = ratio[j - 1]; ratio[j - 1] = t
		}
	cold_median = n % 2 ? ratio[(n + 1) / 2] : (ratio[n / 2] + ratio[n / 2 + 1]) / 2
	cold_worst = worst
	print ""
}

function each(sum, n) { return n ? sprintf("%.0f", sum / n) : "-" }

function mem_line(name, line,   m) {
	split(line, m, " ")
	printf "- %s: **novod VmRSS %.1f MiB** (VmHWM %.1f MiB, PSS %.1f MiB)\n",
		name, m[2] / 1024, m[3] / 1024, m[4] / 1024
	printf "  - %d warm children: PSS %.1f MiB in all, **PSS %s kB each**; private (USS) %s kB and page tables %s kB each\n",
		m[5], m[6] / 1024, each(m[6], m[5]), each(m[7], m[5]), each(m[8], m[5])
	printf "  - %d spawners (one per function): PSS %s kB each, private %s kB, page tables %s kB\n",
		m[9], each(m[10], m[9]), each(m[11], m[9]), each(m[12], m[9])
	if (m[2] > rss_worst)
		rss_worst = m[2]
}

function mem_report() {
	if (!("idle" in mem)) {
		print "Memory: **not measured** (see the run's log)."
		print ""
		return
	}
	printf "Memory, novod with %d functions × %d warm children, sandbox on (the children counted below include the up to warm/2, at most 2, more idle that a refill leaves):\n\n", mem_fns, mem_warm
	mem_line("pools full, before any request", mem["idle"])
	if ("loaded" in mem)
		mem_line("after 2 s of load over every function, pools full again", mem["loaded"])
	print "- published figures of container platforms (their hardware, not this run):"
	print "  Firecracker's SPECIFICATION.md: VMM memory overhead <= 5 MiB per microVM (besides the guest's own memory, 128 MiB in that test), <= 125 ms from InstanceStart to the guest's /sbin/init;"
	print "  crun's README: 100 containers running /bin/true one after the other in 1.69 s with crun, 3.34 s with runc (about 17 and 33 ms each)."
	print ""
}

# The function alone (build/floor): the bound of the ratios below.
function floor_report(   c, r) {
	if (!(1 in floor_p50)) {
		print "The floor: **not measured** (see the run's log)."
		print ""
		return
	}
	c = p50["ceiling" SUBSEP "hello" SUBSEP 1] / 1000
	r = p50["fcgiwrap" SUBSEP "hello" SUBSEP 1] / 1000
	printf "The floor: hello run by a tiny parent (vfork, execve, read its output, wait, sleeping while it waits: no HTTP, no FastCGI, no sandbox), alone on the machine: p50 %.3f ms with one loop; %d runs/s with %d loops side by side.", floor_p50[1], floor_rps[floor_loops], floor_loops
	if (c > 0 && r > 0)
		printf " No server that sleeps while its function runs answers hello faster than that p50 plus nginx's own (%.3f ms, the ceiling at 1 connection): %.3f ms, %.2f × fcgiwrap's p50; novod, which polls instead while one request is in flight (busy_poll_us), can come under it.", c, floor_p50[1] + c, (floor_p50[1] + c) / r
	print ""
	print ""
}

# What bounds a ratio, from the floor: appended to a target's line.
function bound_rps(c,   r) {
	r = rps["fcgiwrap" SUBSEP "hello" SUBSEP c]
	if (!(floor_loops in floor_rps) || r == 0)
		return ""
	return sprintf(" (the function alone on every core: %d runs/s, %.2f × fcgiwrap, before nginx and wrk take their share)", floor_rps[floor_loops], floor_rps[floor_loops] / r)
}

function bound_p50(on, r,   c, own) {
	c = p50["ceiling" SUBSEP "hello" SUBSEP 1] / 1000
	if (!(1 in floor_p50))
		return ""
	own = on / 1000 - floor_p50[1] - c
	return sprintf("; the function alone %.3f ms + nginx %.3f ms = %.2f × for a server that sleeps while it waits, novod's own share %.3f ms%s", floor_p50[1], c, (floor_p50[1] + c) / (r / 1000), own, own < 0 ? " (below zero: novod's busy polling spares the wake-ups the floor's parent pays)" : "")
}

function targets(   c, ok, r, worst, wc, on, off, d) {
	print "Targets of issue 4, this run:"
	print ""
	for (c = 16; c <= 64; c += 48) {
		on = rps["novod-on" SUBSEP "hello" SUBSEP c]
		r = rps["fcgiwrap" SUBSEP "hello" SUBSEP c]
		if (on > 0 && r > 0)
			printf "- %s novod (sandbox on) hello throughput >= 1.5 × fcgiwrap at %d connections: %.3f ×%s\n",
				verdict(on / r >= 1.5), c, on / r, bound_rps(c)
		else
			printf "- **MISS** hello throughput at %d connections: not measured\n", c
	}
	on = p50["novod-on" SUBSEP "hello" SUBSEP 1]
	r = p50["fcgiwrap" SUBSEP "hello" SUBSEP 1]
	if (on > 0 && r > 0)
		printf "- %s p50 at 1 connection <= 0.6 × fcgiwrap's: %.3f × (%s ms vs %s ms%s)\n",
			verdict(on / r <= 0.6), on / r, ms(on), ms(r), bound_p50(on, r)
	else
		print "- **MISS** p50 at 1 connection: not measured"
	worst = -1
	d = ""
	for (c = 1; c <= 64; c = c == 1 ? 16 : c * 4) {
		on = rps["novod-on" SUBSEP "hello" SUBSEP c]
		off = rps["novod-off" SUBSEP "hello" SUBSEP c]
		if (on == 0 || off == 0) {
			d = d sprintf("%snot measured at %d", d == "" ? "" : ", ", c)
			worst = 1
			continue
		}
		r = 1 - on / off
		d = d sprintf("%s%+.1f%% at %d", d == "" ? "" : ", ", -100 * r, c)
		if (r > worst)
			worst = r
	}
	printf "- %s sandbox on vs off, hello, <= 10%% less throughput: %s connections\n",
		verdict(worst <= 0.10), d
	if (ncold)
		printf "- %s first request after the SIGHUP that adds a function <= 1.5 × steady p50: %.2f × (median of %d functions; %d of them over 1.5 ×, worst %.2f ×)\n",
			verdict(cold_median <= 1.5), cold_median, ncold, cold_over, cold_worst
	else
		print "- **MISS** first request after SIGHUP: not measured"
	if ("idle" in mem)
		printf "- %s novod's own RSS < 20 MiB with %d functions × %d warm children: %.1f MiB at most\n",
			verdict(rss_worst < rss_max_kb), mem_fns, mem_warm, rss_worst / 1024
	else
		print "- **MISS** novod's RSS: not measured"
}
