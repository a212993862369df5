-- POST /request: the form with the session's CSRF token (BENCH_BODY, form-encoded) and a
-- fresh one-time submission key per request, so every post makes a case.
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local counter = 0
local thread_id = 0
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  thread_id = wrk.thread:get("id") or 0
end

request = function()
  counter = counter + 1
  local key = string.format("bench%04d%016d%06d", thread_id, os.time(), counter)
  local body = os.getenv("BENCH_BODY") .. "&submission_key=" .. key
  -- nil headers: wrk.headers, which carry the -H cookie too.
  return wrk.format("POST", nil, nil, body)
end
