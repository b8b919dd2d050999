-- wrk script for the level-1 benchmark (issue #15): POSTs
-- {"token", "fiscal_code"} to /api/v1/verify, rotating over the seeded
-- tokens (a `token,fiscal_code` file from `attesta seed --tokens`, named by
-- the BENCH_TOKENS environment variable), and prints a JSON summary line.
-- With BENCH_TOKENS unset it GETs the URL as given (the /healthz limit).

local requests = {}
local n = 0
local i = 0

function init(args)
  local path = os.getenv("BENCH_TOKENS")
  if not path or path == "" then
    return
  end
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(path) do
    local token, cf = line:match("^([^,]+),([^,]+)$")
    if token then
      local body = '{"token":"' .. token .. '","fiscal_code":"' .. cf .. '"}'
      n = n + 1
      requests[n] = wrk.format("POST", "/api/v1/verify", headers, body)
    end
  end
  if n == 0 then
    error("no token,fiscal_code lines in " .. path)
  end
end

function request()
  if n == 0 then
    return wrk.format("GET")
  end
  i = i % n + 1
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
