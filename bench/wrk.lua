-- One benchmark request, described by the environment (set by bench/run):
--   BENCH_METHOD  GET or POST        BENCH_BODY  file with the JSON body (POST)
--   BENCH_AUTH    bearer token       BENCH_OUT   file that receives one JSON line of results
--   BENCH_PATHS   file of request paths, one a line, used in turn (else the URL's own path)
--   BENCH_STATUS  1: count the answers by status code (slower: wrk then parses every response)
local method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")

wrk.method = method
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
if auth and auth ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. auth
end

local paths_file = os.getenv("BENCH_PATHS")
if paths_file and paths_file ~= "" then
  local paths = {}
  for line in io.lines(paths_file) do paths[#paths + 1] = line end
  local next_path = math.random(#paths)
  request = function()
    next_path = next_path % #paths + 1
    return wrk.format(nil, paths[next_path])
  end
end

-- Each thread counts in its own Lua state; done() collects the counts from every thread.
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

if os.getenv("BENCH_STATUS") == "1" then
  statuses = {}
  response = function(status)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

local function status_counts()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local out = os.getenv("BENCH_OUT")
  if not out or out == "" then return end
  local e = summary.errors
  local f = assert(io.open(out, "a"))
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p99_us":%d,"socket_errors":%d,"non_2xx":%d,"statuses":%s}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, status_counts()))
  f:close()
end
