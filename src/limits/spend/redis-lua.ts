/**
 * Lua scripts for `RedisSpendHolds`: one script per operation, each atomic on the server.
 *
 * Exact arithmetic (amounts are pico-USD, up to ~9.2e18, far above 2^53 where Lua's double
 * numbers stop being exact). The choice:
 *  - Counters live in hash fields as decimal strings and are only ever *changed* with
 *    HINCRBY, which Redis does in exact, atomic int64 arithmetic. Arguments are passed as
 *    the decimal strings of JS bigints and never go through `tonumber`. HINCRBY's numeric
 *    reply (a lossy Lua number) is never used.
 *  - *Comparisons* (the cap check and the int64 overflow guards) use a tiny decimal-string
 *    library below: `addu` adds non-negative decimal strings in 9-digit limbs (each limb sum
 *    < 2^31, exact as a double), `cmpu` compares them (length, then limb by limb: no
 *    locale-dependent string comparison), and `sumle` decides `sum(lhs) <= sum(rhs)` for
 *    signed terms by moving negative terms to the other side, so only non-negative sums are
 *    ever formed and nothing can overflow.
 *  - Every guard runs before the first write: a Lua error after a write would leave a
 *    half-applied operation (Redis scripts do not roll back).
 *
 * Layout (P = the configured prefix): `P a:<account>` hash {used, held, loaded};
 * `P h:<holdId>` hash {amt, exp, st = live|exp, accts = JSON array of account Redis keys};
 * `P deadlines` ZSET holdId → deadline ms; `P expired` ZSET holdId → purge time of an
 * expired hold's record. Account keys are reached through hold records (not declared in
 * KEYS), so this needs a standalone Redis (or one Cluster slot via a `{tag}` prefix).
 *
 * Epoch (a Redis restart loses every hold): `P epoch` is a random id an instance creates when it
 * finds none. Every script takes the prefix and the epoch its caller knows as its LAST two ARGV
 * and changes nothing when they differ (reply `{'epoch', current}`): the caller then re-registers
 * the holds it still has in flight (`RESTORE`) before it goes on. While `P fence` (ms) lies ahead,
 * `RESERVE` admits nothing (`{'recovering'}`), so every instance has re-registered its holds
 * before the first new admission (see README.md, "Redis restarts").
 */

const PRELUDE = `
local INT64_MAX = '9223372036854775807'
local INT64_MIN = '-9223372036854775808'

local function strip(s)
  local r = string.gsub(s, '^0+', '')
  if r == '' then return '0' end
  return r
end

-- a + b, both non-negative decimal strings.
local function addu(a, b)
  local limbs = {}
  local i, j, carry = #a, #b, 0
  while i > 0 or j > 0 or carry > 0 do
    local s = carry
    if i > 0 then s = s + tonumber(string.sub(a, math.max(1, i - 8), i)); i = i - 9 end
    if j > 0 then s = s + tonumber(string.sub(b, math.max(1, j - 8), j)); j = j - 9 end
    if s >= 1000000000 then carry = 1; s = s - 1000000000 else carry = 0 end
    limbs[#limbs + 1] = string.format('%09d', s)
  end
  local out = {}
  for k = #limbs, 1, -1 do out[#out + 1] = limbs[k] end
  return strip(table.concat(out))
end

-- -1, 0, 1 for stripped non-negative decimal strings.
local function cmpu(a, b)
  if #a ~= #b then if #a < #b then return -1 else return 1 end end
  for k = 1, #a, 9 do
    local x, y = tonumber(string.sub(a, k, k + 8)), tonumber(string.sub(b, k, k + 8))
    if x ~= y then if x < y then return -1 else return 1 end end
  end
  return 0
end

-- sum(lhs) <= sum(rhs) for signed canonical decimal strings.
local function sumle(lhs, rhs)
  local p, q = '0', '0'
  for _, x in ipairs(lhs) do
    if string.sub(x, 1, 1) == '-' then q = addu(q, string.sub(x, 2)) else p = addu(p, x) end
  end
  for _, x in ipairs(rhs) do
    if string.sub(x, 1, 1) == '-' then p = addu(p, string.sub(x, 2)) else q = addu(q, x) end
  end
  return cmpu(p, q) <= 0
end

-- nil when the caller's epoch is current, else the current one ('' when there is none).
local function stale_epoch()
  local e = redis.call('GET', ARGV[#ARGV - 1] .. 'epoch')
  if e ~= ARGV[#ARGV] then return e or '' end
  return nil
end

local function neg(s)
  if s == '0' then return '0' end
  if string.sub(s, 1, 1) == '-' then return string.sub(s, 2) end
  return '-' .. s
end

-- x + y stays within int64.
local function fits(x, y)
  return sumle({x, y}, {INT64_MAX}) and sumle({INT64_MIN}, {x, y})
end

-- Drops up to 'limit' holds with deadline <= now: subtracts each one's amount from 'held'
-- of every account it named and keeps its record (st = exp) until keepUntil, so a late
-- settle still counts the spend. Then forgets expired records whose time has come.
local function sweep(dl, tombs, hp, now, keepUntil, limit)
  local ids = redis.call('ZRANGEBYSCORE', dl, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local hk = hp .. id
    local h = redis.call('HMGET', hk, 'amt', 'accts', 'st')
    if h[1] and h[3] == 'live' then
      local m = neg(h[1])
      if m ~= '0' then
        for _, a in ipairs(cjson.decode(h[2])) do redis.call('HINCRBY', a, 'held', m) end
      end
      redis.call('HSET', hk, 'st', 'exp')
      redis.call('ZADD', tombs, keepUntil, id)
    end
    redis.call('ZREM', dl, id)
  end
  local old = redis.call('ZRANGEBYSCORE', tombs, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(old) do
    redis.call('DEL', hp .. id)
    redis.call('ZREM', tombs, id)
  end
  return #ids
end
`;

/**
 * KEYS: deadlines, expired, hold, account1..n.
 * ARGV: holdId, amount, now, deadline, keepUntil, sweepLimit, holdKeyPrefix, acctsJson, cap1..n ('' = none), prefix, epoch.
 */
export const RESERVE =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
local fence = redis.call('GET', ARGV[#ARGV - 1] .. 'fence')
if fence and cmpu(fence, ARGV[3]) > 0 then return {'recovering', fence} end
sweep(KEYS[1], KEYS[2], ARGV[7], ARGV[3], ARGV[5], tonumber(ARGV[6]))
local st = redis.call('HGET', KEYS[3], 'st')
if st == 'live' then return {'dup', redis.call('HGET', KEYS[3], 'exp')} end
if st then return {'reused'} end
local amt = ARGV[2]
for i = 4, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'used', 'held', 'loaded')
  local used, held = v[1] or '0', v[2] or '0'
  local cap = ARGV[i + 5]
  if cap ~= '' then
    if not v[3] then return {'not_loaded', i - 3, used, held, cap} end
    if not sumle({used, held, amt}, {cap}) then return {'cap', i - 3, used, held, cap} end
  end
  if not fits(held, amt) then return {'overflow', i - 3, held} end
end
if amt ~= '0' then
  for i = 4, #KEYS do redis.call('HINCRBY', KEYS[i], 'held', amt) end
end
redis.call('HSET', KEYS[3], 'amt', amt, 'exp', ARGV[4], 'st', 'live', 'accts', ARGV[8])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return {'ok'}
`;

/** Settle (ARGV[2] = actual) or release (ARGV[2] = ''). KEYS: deadlines, expired, hold. ARGV: holdId, actual, prefix, epoch. */
export const FINISH =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
local h = redis.call('HMGET', KEYS[3], 'amt', 'accts', 'st')
if not h[1] then return {'none'} end
local amt, accts, live, actual = h[1], cjson.decode(h[2]), h[3] == 'live', ARGV[2]
local m = neg(amt)
for _, a in ipairs(accts) do
  local v = redis.call('HMGET', a, 'used', 'held')
  if actual ~= '' and not fits(v[1] or '0', actual) then return {'overflow', a, v[1] or '0'} end
  if live and not fits(v[2] or '0', m) then return {'overflow', a, v[2] or '0'} end
end
for _, a in ipairs(accts) do
  if live and m ~= '0' then redis.call('HINCRBY', a, 'held', m) end
  if actual ~= '' and actual ~= '0' then redis.call('HINCRBY', a, 'used', actual) end
end
redis.call('DEL', KEYS[3])
if live then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {'live', amt}
end
redis.call('ZREM', KEYS[2], ARGV[1])
return {'expired', amt}
`;

/** KEYS: deadlines, expired. ARGV: now, keepUntil, limit, holdKeyPrefix, prefix, epoch. Returns holds expired. */
export const EXPIRE =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
return sweep(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[2], tonumber(ARGV[3]))
`;

/** KEYS: account. ARGV: loaded value, prefix, epoch. Adds it to 'used' once; 1 if applied, 0 if already loaded. */
export const ENSURE_LOADED =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
if redis.call('HEXISTS', KEYS[1], 'loaded') == 1 then return 0 end
local used = redis.call('HGET', KEYS[1], 'used') or '0'
if not fits(used, ARGV[1]) then return {'overflow', KEYS[1], used} end
redis.call('HSET', KEYS[1], 'loaded', '1')
if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'used', ARGV[1]) end
return 1
`;

/** KEYS: account. ARGV: delta, prefix, epoch. Overflow-checked HINCRBY of 'used' (HINCRBY alone also refuses overflow). */
export const ADD_USED =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
local used = redis.call('HGET', KEYS[1], 'used') or '0'
if not fits(used, ARGV[1]) then return {'overflow', KEYS[1], used} end
if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'used', ARGV[1]) end
return {'ok'}
`;

/**
 * Re-registers a hold its instance still has in flight after a Redis restart: the hold record and
 * its amount on `held` of every account, with no cap check (the request was admitted before the
 * restart and will settle). KEYS: deadlines, hold. ARGV: holdId, amount, deadline, acctsJson, prefix, epoch.
 */
export const RESTORE =
  PRELUDE +
  `
local stale = stale_epoch()
if stale then return {'epoch', stale} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'dup'} end
local accts = cjson.decode(ARGV[4])
for _, a in ipairs(accts) do
  if not fits(redis.call('HGET', a, 'held') or '0', ARGV[2]) then return {'overflow', a} end
end
if ARGV[2] ~= '0' then
  for _, a in ipairs(accts) do redis.call('HINCRBY', a, 'held', ARGV[2]) end
end
redis.call('HSET', KEYS[2], 'amt', ARGV[2], 'exp', ARGV[3], 'st', 'live', 'accts', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return {'ok'}
`;

/** Creates the epoch when there is none and, after a restart, moves the fence to at least ARGV[2]. ARGV: prefix, fence ('' = none), new epoch. */
export const NEW_EPOCH =
  PRELUDE +
  `
local ek, fk = ARGV[1] .. 'epoch', ARGV[1] .. 'fence'
redis.call('SET', ek, ARGV[3], 'NX')
if ARGV[2] ~= '' then
  local f = redis.call('GET', fk)
  if not f or cmpu(f, ARGV[2]) < 0 then redis.call('SET', fk, ARGV[2]) end
end
return redis.call('GET', ek)
`;
