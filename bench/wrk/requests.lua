-- wrk script for `make bench`: one method and path, optional JSON bodies (one per line of
-- the file in WRK_BODIES, taken in turn), a bearer token from WRK_TOKEN, and at most
-- WRK_MAX_REQUESTS requests per thread, so that a run is bounded in count as well as in time.
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  method = os.getenv("WRK_METHOD") or "GET"
  max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "0")
  headers = {}
  local token = os.getenv("WRK_TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  bodies = {}
  local path = os.getenv("WRK_BODIES")
  if path and path ~= "" then
    headers["Content-Type"] = "application/json"
    for line in io.lines(path) do bodies[#bodies + 1] = line end
  end
  sent = 0
  answered = 0
end

function request()
  sent = sent + 1
  local body = nil
  if #bodies > 0 then
    -- Threads start at different places so they do not send the same claims.
    body = bodies[(thread_id * 7919 + sent) % #bodies + 1]
  end
  return wrk.format(method, nil, headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if max_requests > 0 and answered >= max_requests then
    wrk.thread:stop()
  end
end
