// The waiting room's state lives in Redis so every gateway instance admits
// from the same queue, and each step is one Lua script so it is atomic (no
// two gateways can give the same free slot away). Written by hand: no library
// implements a shared FIFO queue with an adaptive concurrency limit on Redis
// Cluster. Every key of one event carries the same hash tag, so the Cluster
// routes a script to one node.
//
// KEYS (one event):
//   1 slots     ZSET user -> lease end (ms): orders in flight, and buyers admitted but not yet back
//   2 queue     ZSET user -> sequence number (FIFO; one place per user)
//   3 ctl       HASH the limit, the controller's samples, the sequence counter, the admission rate
//   4 seen      HASH user -> last time the buyer asked (ms); a buyer who stopped asking is skipped
//   5 admitted  SET  users admitted from the queue who have not come back yet
// Times come from the Redis server (TIME), so gateways with skewed clocks agree.

/** Shared by every script: the clock, the limit, expiry of leases and promotion of the queue's head. */
const PRELUDE = `
local slots, queue, ctl, seen, admitted = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cfg = cjson.decode(ARGV[1])

local function limit()
  local l = tonumber(redis.call('HGET', ctl, 'limit'))
  if l == nil then return cfg.initialLimit end
  return l
end

local function touch()
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, cfg.keyTtlMs) end
end

-- Frees the slots whose lease ended (a gateway died mid-request, an admitted
-- buyer never came back), then admits the queue's head into every free slot.
local function promote()
  for _, user in ipairs(redis.call('ZRANGEBYSCORE', slots, '-inf', now)) do
    redis.call('ZREM', slots, user)
    redis.call('SREM', admitted, user)
  end
  local free = math.floor(limit()) - redis.call('ZCARD', slots)
  local budget = 1000
  while free > 0 and budget > 0 do
    local head = redis.call('ZRANGE', queue, 0, 0)
    if #head == 0 then break end
    local user = head[1]
    redis.call('ZREM', queue, user)
    local asked = tonumber(redis.call('HGET', seen, user))
    redis.call('HDEL', seen, user)
    if asked ~= nil and now - asked <= cfg.abandonMs then
      redis.call('ZADD', slots, now + cfg.admitWindowMs, user)
      redis.call('SADD', admitted, user)
      free = free - 1
    end
    budget = budget - 1
  end
end

local function rate()
  return math.floor((tonumber(redis.call('HGET', ctl, 'rate')) or 0) * 1000)
end

local function queued(user, seq)
  redis.call('HSET', seen, user, now)
  return {0, seq, redis.call('ZRANK', queue, user) + 1, rate(), math.floor(limit())}
end
`;

/**
 * A buyer asks to place an order. Returns {1} when they may go now (a free
 * slot and nobody waiting, or they were admitted from the queue), else
 * {0, sequence, position, admissions per 1000 s, limit}. A buyer already
 * queued keeps their place: asking again never moves them forward or back.
 * ARGV: config JSON, user id.
 */
export const ENTER_LUA = `${PRELUDE}
local user = ARGV[2]
promote()
touch()
if redis.call('SISMEMBER', admitted, user) == 1 then
  redis.call('SREM', admitted, user)
  redis.call('ZADD', slots, now + cfg.leaseMs, user)
  return {1}
end
local seq = redis.call('ZSCORE', queue, user)
if seq then return queued(user, tonumber(seq)) end
if redis.call('ZCARD', queue) == 0 and not redis.call('ZSCORE', slots, user) and redis.call('ZCARD', slots) < math.floor(limit()) then
  redis.call('ZADD', slots, now + cfg.leaseMs, user)
  return {1}
end
seq = redis.call('HINCRBY', ctl, 'seq', 1)
redis.call('ZADD', queue, seq, user)
return queued(user, seq)
`;

/**
 * A queued buyer polls. Returns {1} admitted (come back now), {0, seq,
 * position, rate, limit} still waiting, or {2} no longer queued under that
 * sequence number (the admission lapsed, was used, or the place was dropped).
 * ARGV: config JSON, user id, the ticket's sequence number.
 */
export const POLL_LUA = `${PRELUDE}
local user, seq = ARGV[2], tonumber(ARGV[3])
promote()
touch()
if redis.call('SISMEMBER', admitted, user) == 1 then return {1} end
local current = redis.call('ZSCORE', queue, user)
if current and tonumber(current) == seq then return queued(user, seq) end
return {2}
`;

/**
 * An admitted order finished: frees its slot, feeds the controller, admits
 * the next in line. The limit follows a gradient controller (after Netflix's
 * concurrency-limits): every interval, the mean latency of the orders that
 * finished is compared with the recent minimum latency; while the mean stays
 * under tolerance x minimum the limit grows (by about its square root, and
 * only when the slots were busy: an idle room learns nothing), above it the
 * limit shrinks in proportion (at most by half, smoothed). So the system is
 * kept at the concurrency where it confirms the most orders without queueing
 * them inside the services. A failed order (5xx) counts as a slow one.
 * ARGV: config JSON, user id, latency ms, 1 ok / 0 failed.
 */
export const RELEASE_LUA = `${PRELUDE}
local user, latency, ok = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
if redis.call('SISMEMBER', admitted, user) == 0 then redis.call('ZREM', slots, user) end
local c = redis.call('HMGET', ctl, 'ivStart', 'ivSum', 'ivCount', 'minCur', 'minPrev', 'minStart', 'rate')
local ivStart, ivSum, ivCount = tonumber(c[1]) or now, tonumber(c[2]) or 0, tonumber(c[3]) or 0
local minCur, minPrev, minStart = tonumber(c[4]), tonumber(c[5]), tonumber(c[6]) or now
local rateNow = tonumber(c[7]) or 0
if ok then
  if minCur == nil or latency < minCur then minCur = latency end
else
  latency = math.max(latency, (minCur or latency) * cfg.tolerance * 2)
end
if now - minStart >= cfg.minWindowMs then
  minPrev, minCur, minStart = minCur, nil, now
end
ivSum, ivCount = ivSum + latency, ivCount + 1
if now - ivStart >= cfg.intervalMs then
  local l = limit()
  local base = math.min(minCur or math.huge, minPrev or math.huge)
  if base == math.huge then base = ivSum / ivCount end
  local mean = ivSum / ivCount
  local gradient = math.max(0.5, math.min(1.0, cfg.tolerance * base / mean))
  local grow = 0
  if redis.call('ZCARD', slots) + 1 >= l / 2 then grow = math.sqrt(l) end
  local target = l * gradient + grow
  l = math.max(cfg.minLimit, math.min(cfg.maxLimit, 0.8 * l + 0.2 * target))
  local seconds = math.max(0.001, (now - ivStart) / 1000)
  rateNow = 0.5 * rateNow + 0.5 * (ivCount / seconds)
  redis.call('HSET', ctl, 'limit', tostring(l), 'rate', tostring(rateNow))
  ivStart, ivSum, ivCount = now, 0, 0
end
local fields = {'ivStart', ivStart, 'ivSum', ivSum, 'ivCount', ivCount, 'minStart', minStart}
if minCur ~= nil then table.insert(fields, 'minCur'); table.insert(fields, minCur) else redis.call('HDEL', ctl, 'minCur') end
if minPrev ~= nil then table.insert(fields, 'minPrev'); table.insert(fields, minPrev) end
redis.call('HSET', ctl, unpack(fields))
promote()
touch()
return math.floor(limit())
`;
