/**
 * Lua scripts for RedisRateLimiter. They mirror bucket.ts / limiter.ts exactly (integer
 * ticks: 1 token = 60 000 ticks, a bucket refills `limit` ticks per ms), so the memory and
 * Redis limiters make bit-identical decisions. Time is the caller's clock (ARGV[1]) so tests
 * can inject it; Redis' own clock only drives key expiry.
 *
 * Each bucket is a hash {t = ticks, u = updatedAt ms}. A missing key is a full bucket, so a
 * key is deleted when it becomes full and otherwise expires `msUntilFull + slack` after its
 * last write: idle buckets vanish by themselves.
 *
 * Numbers are written with '%.0f' (Lua's tostring keeps only 14 significant digits).
 * Several keys in one script: on Redis Cluster all keys of one check must share a hash slot
 * (use a `{org}` hash tag in the prefix/keys); a single node needs nothing.
 */

/** Shared prelude: refill(key, limit, now) → ticks, updatedAt. */
const REFILL = `
local S = 60000
local function refill(key, limit, now)
  local cap = limit * S
  local st = redis.call('HMGET', key, 't', 'u')
  if not st[1] then return cap, now end
  local t = tonumber(st[1])
  local u = tonumber(st[2]) or now
  if now > u then
    t = t + (now - u) * limit
    u = now
  end
  if t > cap then t = cap end
  return t, u
end
local function store(key, t, u, limit, slack)
  local cap = limit * S
  if t >= cap then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 't', string.format('%.0f', t), 'u', string.format('%.0f', u))
    redis.call('PEXPIRE', key, math.ceil((cap - t) / limit) + slack)
  end
end
`;

/**
 * KEYS = bucket keys. ARGV = now, slack, then per bucket: limit, cost, mode
 * (mode 0 = take `cost` up front, 1 = output rule: admit iff level > 0, take nothing).
 * Returns {admitted (0|1), refusedIndex (1-based, 0 if admitted), waitMs (-1 = never), ticks…}
 * with ticks after taking (admitted) or as found (refused).
 */
export const CHECK_SCRIPT = `${REFILL}
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local n = #KEYS
local ts, us, lim, cost, mode = {}, {}, {}, {}, {}
local worst, idx = 0, 0
for i = 1, n do
  local a = 3 * i
  lim[i] = tonumber(ARGV[a])
  cost[i] = tonumber(ARGV[a + 1])
  mode[i] = tonumber(ARGV[a + 2])
  ts[i], us[i] = refill(KEYS[i], lim[i], now)
  local w = 0
  if mode[i] == 1 then
    if ts[i] <= 0 then w = math.floor(-ts[i] / lim[i]) + 1 end
  elseif cost[i] > lim[i] then
    w = math.huge
  else
    local missing = cost[i] * S - ts[i]
    if missing > 0 then w = math.ceil(missing / lim[i]) end
  end
  if w > worst then worst = w; idx = i end
end
local out = {}
if idx > 0 then
  out[1] = 0
  out[2] = idx
  if worst == math.huge then out[3] = -1 else out[3] = worst end
  for i = 1, n do out[3 + i] = ts[i] end
  return out
end
out[1] = 1
out[2] = 0
out[3] = 0
for i = 1, n do
  if mode[i] == 0 then ts[i] = ts[i] - cost[i] * S end
  store(KEYS[i], ts[i], us[i], lim[i], slack)
  out[3 + i] = ts[i]
end
return out
`;

/**
 * KEYS = bucket keys. ARGV = now, slack, amount (tokens; negative = credit), then one limit
 * per key. Debits every key (credits cap at capacity). Returns the number of keys.
 */
export const DEBIT_SCRIPT = `${REFILL}
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local amount = tonumber(ARGV[3]) * S
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 + i])
  local t, u = refill(KEYS[i], limit, now)
  t = t - amount
  if t > limit * S then t = limit * S end
  store(KEYS[i], t, u, limit, slack)
end
return #KEYS
`;
