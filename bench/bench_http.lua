-- make bench, HTTP: the requests wrk sends for one endpoint, and one line of
-- figures for bench/bench_http.mjs when the run is done.
--   wrk -s bench/bench_http.lua URL -- MODE KEY SERVICE CUSTOMERS_FILE
-- MODE is healthz (GET /healthz), orders (POST /api/v1/orders of one service
-- for a random customer) or ledger (GET /api/v1/ledger?customer=…&limit=50 of
-- a random customer); KEY is an admin API key, SERVICE a service id and
-- CUSTOMERS_FILE holds one customer id a line.

local threads = 0

-- Each thread gets its own seed, so the threads do not ask for the same
-- customers in the same order.
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  mode, key, service = args[1], args[2], args[3]
  customers = {}
  for line in io.lines(args[4]) do
    customers[#customers + 1] = line
  end
  math.randomseed(1000 + (seed or 0) * 7919)
  if mode == "healthz" then
    fixed = wrk.format("GET", "/healthz")
  end
end

function request()
  if fixed then
    return fixed
  end
  local customer = customers[math.random(#customers)]
  if mode == "orders" then
    return wrk.format("POST", "/api/v1/orders",
      { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" },
      '{"customer_id":"' .. customer .. '","credit_type":"master","services":["' ..
      service .. '"]}')
  end
  return wrk.format("GET", "/api/v1/ledger?customer=" .. customer .. "&limit=50",
    { ["Authorization"] = "Bearer " .. key })
end

-- wrk counts a status of 400 or more as a status error; latencies are in us.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.1f p99_us=%.1f status_errors=%d " ..
    "socket_errors=%d\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
