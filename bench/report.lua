-- report.lua - wrk script: at the end of a run, one RESULT line and the
-- latency CDF (percentile, microseconds) from wrk's own histogram.
-- Nothing is done per request, so the load generator stays as fast as
-- plain wrk (a response() callback would slow it down).

local pcts = {}
for i = 1, 99 do
	pcts[#pcts + 1] = i
end
for _, p in ipairs({99.5, 99.9, 99.99}) do
	pcts[#pcts + 1] = p
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT requests=%d duration_us=%d status=%d " ..
		"connect=%d read=%d write=%d timeout=%d p50=%d p99=%d\n",
		summary.requests, summary.duration, e.status, e.connect,
		e.read, e.write, e.timeout,
		latency:percentile(50), latency:percentile(99)))
	io.write(string.format("CDF 0 %d\n", latency.min))
	for _, p in ipairs(pcts) do
		io.write(string.format("CDF %g %d\n", p, latency:percentile(p)))
	end
	io.write(string.format("CDF 100 %d\n", latency.max))
end
