-- wrk script for driftd's ingest routes (bench/run). Each request goes to the next device
-- of a token file, with that device's bearer token, so a fleet is simulated and no device
-- passes its rate limit.
--
--   [DRIFTD_BENCH_RATE=R] wrk -t2 -c8 -d15s -s bench/wrk/ingest.lua URL -- TOKENS KIND ARG
--
-- TOKENS  file of "device_id token" lines (the bare server ignores the tokens)
-- KIND    results: ARG is the batch size (1 = one result object, N = {"results": [N]})
--         clips:   ARG is the WAV file sent as the body of every clip upload
-- R       requests per second for each wrk thread, sent on a fixed schedule (unset or 0:
--         as fast as the connections allow; wrk only paces when delay() exists, so it
--         comes from the environment, which is read before init())
--
-- Every result carries a result_id unique across runs, so every result is stored.
-- done() prints one line: "WRK requests=N duration_us=N errors=N non2xx=N p50_us=N ..."

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } driftd_timespec;
  int clock_gettime(int clock_id, driftd_timespec* ts);
]]
local k_clock_monotonic = 1

local function now_ms()
  local ts = ffi.new("driftd_timespec")
  ffi.C.clock_gettime(k_clock_monotonic, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

local devices = {}       -- { {id=, token=}, ... }
local kind, batch, clip_body
local next_device = 0
local sequence = 0
local run_tag            -- makes result ids unique across runs
local rate = tonumber(os.getenv("DRIFTD_BENCH_RATE") or "0") or 0
local interval_ms = rate > 0 and 1000 / rate or 0  -- between two requests of this thread
local next_send = nil
local timestamp_ms

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path)
  local data = f:read("*a")
  f:close()
  return data
end

function init(args)
  for line in io.lines(args[1]) do
    local id, token = line:match("^(%S+)%s+(%S+)$")
    if id then devices[#devices + 1] = { id = id, token = token } end
  end
  assert(#devices > 0, "no devices in " .. args[1])
  kind = args[2]
  if kind == "results" then
    batch = tonumber(args[3]) or 1
  elseif kind == "clips" then
    clip_body = read_file(args[3])
  else
    error("KIND must be results or clips")
  end
  local id = tonumber(thread_id) or 1
  next_device = (id - 1) * 7919 % #devices
  run_tag = string.format("%x%x", os.time(), id)
  timestamp_ms = os.time() * 1000
end

local function result_json(device_id, result_id)
  return string.format(
    '{"device_id":"%s","model_version":"12","timestamp":%d,"label":"crying",' ..
    '"confidence":0.93,"scores":{"crying":0.93,"sleeping":0.07},"result_id":"%s"}',
    device_id, timestamp_ms, result_id)
end

local function results_body(device_id)
  sequence = sequence + 1
  local prefix = run_tag .. "-" .. sequence
  if batch == 1 then return result_json(device_id, prefix) end
  local items = {}
  for i = 1, batch do items[i] = result_json(device_id, prefix .. "-" .. i) end
  return '{"results":[' .. table.concat(items, ",") .. "]}"
end

function request()
  next_device = next_device % #devices + 1
  local d = devices[next_device]
  if kind == "results" then
    return wrk.format("POST", "/api/v1/results",
      { ["Authorization"] = "Bearer " .. d.token, ["Content-Type"] = "application/json" },
      results_body(d.id))
  end
  return wrk.format("POST",
    "/api/v1/clips?device_id=" .. d.id .. "&model_version=12&label=crying&confidence=0.93",
    { ["Authorization"] = "Bearer " .. d.token, ["Content-Type"] = "audio/wav" }, clip_body)
end

-- Requests leave on a fixed schedule: each call takes the next slot of the thread's
-- schedule, whichever connection asks. Latency is timed from the moment a request is
-- written, so a server that falls behind the schedule is not charged for the wait.
if interval_ms > 0 then
  function delay()
    local t = now_ms()
    if next_send == nil or next_send < t - 1000 then next_send = t end
    local slot = next_send
    next_send = next_send + interval_ms
    local wait = slot - t
    if wait <= 0 then return 0 end
    return math.floor(wait + 0.5)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p90_us=%d p99_us=%d " ..
    "p999_us=%d max_us=%d mean_us=%.0f\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
