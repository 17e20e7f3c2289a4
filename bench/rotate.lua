-- rotate.lua - wrk script: each request goes to the next function of
-- BENCH_FNS (space separated names), so every pool serves some load.

local fns = {}
for name in string.gmatch(os.getenv("BENCH_FNS") or "hello", "%S+") do
	fns[#fns + 1] = "/fn/" .. name
end
local i = 0

request = function()
	i = i % #fns + 1
	return wrk.format(nil, fns[i])
end
