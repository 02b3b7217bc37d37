-- wrk script for scripts/bench-pipeline: Telegram text-message Updates,
-- each with an update_id of its own, POSTed to the webhook with the secret
-- header.
--
--   wrk -s bench-webhook.lua URL -- BASE GOOD_SECONDS SECRET
--
-- BASE keeps the ids of separate runs apart.  For GOOD_SECONDS after a
-- thread's first request it sends Updates; after that each connection sends
-- one request that never completes (its Content-Length promises more than
-- comes), so that no Update is in flight when wrk stops: every Update sent
-- is answered inside the run, and committed commands must then equal the
-- 2xx answers exactly.  Run wrk for a second or more past GOOD_SECONDS.
-- done() prints one line: "WRK requests=… non2xx=… timeouts=… errors=…
-- sent=… good_s=… p50_us=… p99_us=… rps=…".

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")

local function now()
	ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("thread_no", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

-- globals, so that done() can read them from a thread (thread:get)
base, good_s, secret = 0, 5, ""
local headers, stall
local started = nil
local counter = 0
sent = 0 -- read by done() through thread:get()

function init(args)
	base = tonumber(args[1] or "0")
	good_s = tonumber(args[2] or "5")
	secret = args[3] or ""
	headers = {
		["Content-Type"] = "application/json",
		["X-Telegram-Bot-Api-Secret-Token"] = secret,
	}
	-- by hand: wrk.format() would set the true Content-Length
	stall = "POST " .. wrk.path .. " HTTP/1.1\r\n" ..
		"Host: " .. (wrk.headers["Host"] or wrk.host) .. "\r\n" ..
		"Content-Type: application/json\r\n" ..
		"X-Telegram-Bot-Api-Secret-Token: " .. secret .. "\r\n" ..
		"Content-Length: 1000\r\n\r\n{"
end

local texts = {
	"dentist next friday 10:30",
	"buy milk, eggs and bread tomorrow",
	"call mom tonight at 8pm",
	"pack: passport, charger and tickets",
	"renew the car insurance in 3 days urgent",
}

function request()
	local t = now()
	if started == nil then
		started = t
	end
	if t - started >= good_s then
		return stall
	end
	counter = counter + 1
	sent = sent + 1
	local id = base + thread_no * 100000000 + counter
	local user = 100000 + (id % 5000)
	local body = string.format(
		'{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,' ..
		'"is_bot":false,"first_name":"Ann","last_name":"Lee",' ..
		'"username":"annlee","language_code":"en"},"chat":{"id":%d,' ..
		'"first_name":"Ann","last_name":"Lee","username":"annlee",' ..
		'"type":"private"},"date":1763700000,"text":"%s"}}',
		id, counter, user, user, texts[counter % #texts + 1])
	return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
	local total_sent = 0
	local good = threads[1]:get("good_s")
	for _, thread in ipairs(threads) do
		total_sent = total_sent + (thread:get("sent") or 0)
	end
	-- wrk calls request() once on the first thread to check the script
	total_sent = total_sent - 1
	local e = summary.errors
	local ok = summary.requests - e.status
	io.write(string.format(
		"WRK requests=%d non2xx=%d timeouts=%d errors=%d sent=%d " ..
		"good_s=%g p50_us=%d p99_us=%d rps=%.0f\n",
		summary.requests, e.status, e.timeout,
		e.connect + e.read + e.write, total_sent, good,
		latency:percentile(50), latency:percentile(99), ok / good))
end
