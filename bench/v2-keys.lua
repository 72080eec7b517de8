-- wrk script for bench/kv-serve-vs-etcd.sh: load the etcd v2 keys API.
--
--   wrk ... -s bench/v2-keys.lua URL -- MODE KEYS THREADS
--
-- MODE put: PUT /v2/keys/bench/k<N> with a form body `value=<256 bytes>`
--           (Content-Type: application/x-www-form-urlencoded)
-- MODE get: GET /v2/keys/bench/k<N>
-- Thread t of THREADS walks the keys t, t+THREADS, t+2*THREADS, ... (mod KEYS), so the first
-- keys are written first and a run that covers KEYS requests covers every key.
--
-- Every response's status is counted; done() prints one line
--   BENCH responses=N non2xx=M statuses=200:x,201:y,...
-- which the driver reads to fail loudly on any non-2xx answer (wrk's own "Non-2xx or 3xx"
-- line does not count 3xx).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local mode, keys, nthreads
local counter = 0
local body
local put_headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local get_headers = {}
statuses = {}
responses = 0
non2xx = 0

function init(args)
   mode = args[1] or "put"
   keys = tonumber(args[2] or "10000")
   nthreads = tonumber(args[3] or "1")
   if mode ~= "put" and mode ~= "get" then
      error("MODE must be put or get, not " .. tostring(mode))
   end
   -- 256 bytes that need no form escaping, different per thread
   local alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
   local chars = {}
   for i = 1, 256 do
      local j = ((i * 7 + tid * 13) % #alphabet) + 1
      chars[i] = alphabet:sub(j, j)
   end
   body = "value=" .. table.concat(chars)
end

function request()
   local k = (tid + nthreads * counter) % keys
   counter = counter + 1
   local path = "/v2/keys/bench/k" .. k
   if mode == "put" then
      return wrk.format("PUT", path, put_headers, body)
   end
   return wrk.format("GET", path, get_headers, nil)
end

function response(status, headers, resp_body)
   responses = responses + 1
   statuses[status] = (statuses[status] or 0) + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local total, bad, all = 0, 0, {}
   for _, t in ipairs(threads) do
      total = total + (t:get("responses") or 0)
      bad = bad + (t:get("non2xx") or 0)
      local st = t:get("statuses") or {}
      for code, n in pairs(st) do
         all[code] = (all[code] or 0) + n
      end
   end
   local parts = {}
   for code, n in pairs(all) do
      table.insert(parts, code .. ":" .. n)
   end
   table.sort(parts)
   io.write(string.format("BENCH responses=%d non2xx=%d statuses=%s\n",
      total, bad, table.concat(parts, ",")))
end
