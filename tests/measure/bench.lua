-- wrk script for `make bench` (tests/measure/bench.py). Settings come from the
-- environment: BENCH_METHOD GET or HOLD, BENCH_TOKEN, BENCH_SLOTS (comma-separated
-- slot ids, for HOLD). HOLD pairs every hold with its cancel: a connection that is
-- free cancels the oldest hold it has seen answered, else holds one seat in the next
-- slot round-robin, so at most one seat per connection is ever held.
-- done() prints one JSON line that bench.py reads.

local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local slots = {}
for id in string.gmatch(os.getenv("BENCH_SLOTS") or "", "[^,]+") do
  slots[#slots + 1] = id
end
local next_slot = 0
local held = {}  -- references answered 201, waiting for their cancel

wrk.headers["Accept"] = "application/json"
if token and token ~= "" then
  wrk.headers["Authorization"] = "Token " .. token
end

-- wrk.format() sends only the headers it is given: the common ones, and a JSON body's.
local post_headers = {["Content-Type"] = "application/json"}

init = function(args)
  for name, value in pairs(wrk.headers) do
    post_headers[name] = value
  end
end

request = function()
  if method ~= "HOLD" then
    return wrk.format("GET")
  end
  local reference = table.remove(held, 1)
  if reference then
    return wrk.format("POST", "/api/v1/bookings/" .. reference .. "/cancel/", post_headers, "")
  end
  next_slot = next_slot % #slots + 1
  local body = '{"lines": [{"slot_id": "' .. slots[next_slot] .. '", "seats": 1}]}'
  return wrk.format("POST", "/api/v1/bookings/", post_headers, body)
end

local reported = false  -- the first failing answer is printed, to say why

response = function(status, headers, body)
  if status >= 400 and not reported then
    reported = true
    io.write("first failure: " .. status .. " " .. string.sub(body, 1, 500) .. "\n")
  end
  if method == "HOLD" and status == 201 then
    local reference = string.match(body, '"reference"%s*:%s*"([^"]+)"')
    if reference then
      held[#held + 1] = reference
    end
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
