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
//   3 ctl       HASH the sequence counter and the measured admission rate
//   4 seen      HASH user -> when the buyer is due to ask again (ms): the time they asked, or later if they were
//               told to come back later (paced); asleep until then, gone once abandonMs past it
//   5 admitted  SET  users admitted from the queue who have not come back yet
// Times come from the Redis server (TIME), so gateways with skewed clocks agree.

/** Shared by every script: the clock, the limit, expiry of leases and promotion of the queue's head. */
const PRELUDE = `
local slots, queue, ctl, seen, admitted = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cfg = cjson.decode(ARGV[1])
-- The event id, from the hash tag {<namespace>:<event>} (event ids are UUIDs).
local event = string.match(slots, ':([^:{}]+)}:slots$')
-- The gateway's current concurrency limit (gradient-limit.ts).
local limitNow = math.max(1, math.floor(tonumber(ARGV[2])))

local function limit()
  return limitNow
end

-- The buyers promote() admitted during this script (RELEASE_LUA returns them).
local promoted = {}

-- Keys of an event nobody asks about any more disappear: each key's TTL is
-- set when it has none and refreshed once it is below half. (Refreshing every
-- key on every call cost five PEXPIREs per request, each replicated: in a
-- rush, most of the writes the replicas had to apply.) A room in use is
-- asked about every few seconds, so its keys never get near expiring.
local function touch()
  for _, key in ipairs(KEYS) do
    local ttl = redis.call('PTTL', key)
    if ttl == -1 or (ttl >= 0 and ttl < cfg.keyTtlMs / 2) then redis.call('PEXPIRE', key, cfg.keyTtlMs) end
  end
end

-- Frees the slots whose lease ended (a gateway died mid-request, an admitted
-- buyer never came back), then admits the queue's head into every free slot.
local function promote()
  for _, user in ipairs(redis.call('ZRANGEBYSCORE', slots, '-inf', now)) do
    redis.call('ZREM', slots, user)
    redis.call('SREM', admitted, user)
  end
  local free = limit() - redis.call('ZCARD', slots)
  local budget = 1000
  -- Buyers told to come back later who reached the head before they are due: they keep their place (admitted
  -- as soon as they are back), the next ones go first. At most 100 passed over: a slot is never given to a sleeper.
  local asleep = 0
  while free > 0 and budget > 0 do
    local head = redis.call('ZRANGE', queue, asleep, asleep)
    if #head == 0 then break end
    local user = head[1]
    local due = tonumber(redis.call('HGET', seen, user))
    if due ~= nil and due > now then
      asleep = asleep + 1
      if asleep == 100 then break end
    else
      redis.call('ZREM', queue, user)
      redis.call('HDEL', seen, user)
      if due ~= nil and now - due <= cfg.abandonMs then
        redis.call('ZADD', slots, now + cfg.admitWindowMs, user)
        redis.call('SADD', admitted, user)
        -- Wakes the buyer's long poll on whichever gateway holds it (admission-notices.ts).
        redis.call('PUBLISH', cfg.channel, event .. ':' .. user)
        promoted[#promoted + 1] = user
        free = free - 1
      end
    end
    budget = budget - 1
  end
end

-- A queued buyer expected to wait longer than paceBeyondMs is told to come back after half the estimate (at
-- most paceMaxMs) instead of being held: their next request comes while they are still well back in the line
-- unless admissions more than double meanwhile, and a buyer who waits long costs a request per halving, not
-- one per hold. Nearer the head (or before the event's admission rate is known) they are held. 0: hold.
local function pace(position, perSecond)
  if perSecond <= 0 then return 0 end
  local estimateMs = position / perSecond * 1000
  if estimateMs <= cfg.paceBeyondMs then return 0 end
  return math.floor(math.min(cfg.paceMaxMs, estimateMs / 2))
end

-- A paced buyer asks before they were due: awake from now on, and first in line for a slot that freed while
-- they were away (promote() skipped them then, and nothing else would run it again for them). Only a queued
-- buyer has a seen entry (queued() sets it, promote() removes it with the place): for anyone else, nothing.
local function back(user)
  local due = tonumber(redis.call('HGET', seen, user))
  if due ~= nil and due > now then
    redis.call('HSET', seen, user, now)
    promote()
  end
end

local function queued(user, seq)
  local position = redis.call('ZRANK', queue, user) + 1
  local perSecond = tonumber(redis.call('HGET', ctl, 'rate')) or 0
  local comeBackMs = pace(position, perSecond)
  redis.call('HSET', seen, user, now + comeBackMs)
  return {0, seq, position, math.floor(perSecond * 1000), limit(), comeBackMs}
end
`;

/**
 * One buyer's ask to place an order (after promote() and touch()). Returns
 * {1} when they may go now (a free slot and nobody waiting, or they were
 * admitted from the queue), else {0, sequence, position, admissions per
 * 1000 s, limit, come back after ms (0: hold them)}. A buyer already queued keeps their place: asking again
 * never moves them forward or back.
 */
const ENTER_FUNCTION = `
local function enter(user)
  back(user)
  if redis.call('SISMEMBER', admitted, user) == 1 then
    redis.call('SREM', admitted, user)
    redis.call('ZADD', slots, now + cfg.leaseMs, user)
    return {1}
  end
  local seq = redis.call('ZSCORE', queue, user)
  if seq then return queued(user, tonumber(seq)) end
  if redis.call('ZCARD', queue) == 0 and not redis.call('ZSCORE', slots, user) and redis.call('ZCARD', slots) < limit() then
    redis.call('ZADD', slots, now + cfg.leaseMs, user)
    return {1}
  end
  seq = redis.call('HINCRBY', ctl, 'seq', 1)
  redis.call('ZADD', queue, seq, user)
  return queued(user, seq)
end
`;

/**
 * A buyer asks to place an order: the reply of enter() above.
 * ARGV: config JSON, limit, user id.
 */
export const ENTER_LUA = `${PRELUDE}${ENTER_FUNCTION}
promote()
touch()
return enter(ARGV[3])
`;

/**
 * Buyers arriving at a crowded room, in the order they arrived at this
 * gateway (arrival-batcher.ts): one enter() each, in one script. Returns
 * their replies in the same order.
 * ARGV: config JSON, limit, user id, user id, ...
 */
export const ENTER_MANY_LUA = `${PRELUDE}${ENTER_FUNCTION}
promote()
touch()
local replies = {}
for i = 3, #ARGV do replies[#replies + 1] = enter(ARGV[i]) end
return replies
`;

/**
 * A queued buyer polls. Returns {1} admitted (come back now), {0, seq,
 * position, rate, limit, come back after ms} still waiting, or {2} no longer queued under that
 * sequence number (the admission lapsed, was used, or the place was dropped).
 * ARGV: config JSON, limit, user id, the ticket's sequence number.
 */
export const POLL_LUA = `${PRELUDE}
local user, seq = ARGV[3], tonumber(ARGV[4])
promote()
touch()
back(user)
if redis.call('SISMEMBER', admitted, user) == 1 then return {1} end
local current = redis.call('ZSCORE', queue, user)
if current and tonumber(current) == seq then return queued(user, seq) end
return {2}
`;

/**
 * An admitted order finished: frees its slot, counts the completion for the
 * admission rate (the queue's estimates), admits the next in line. Returns
 * {orders in flight, user admitted, ...}: the gateway that released wakes
 * the admitted buyers it holds itself, without waiting for their PUBLISH.
 * ARGV: config JSON, limit, user id.
 */
export const RELEASE_LUA = `${PRELUDE}
local user = ARGV[3]
if redis.call('SISMEMBER', admitted, user) == 0 then redis.call('ZREM', slots, user) end
local c = redis.call('HMGET', ctl, 'rateStart', 'rateCount', 'rate')
local rateStart, rateCount, rateNow = tonumber(c[1]) or now, (tonumber(c[2]) or 0) + 1, tonumber(c[3]) or 0
if now - rateStart >= cfg.rateIntervalMs then
  -- Completions per second, smoothed over the last few intervals (the first measured as it is: smoothed from
  -- 0 it would say half, and buyers paced on it would come back only as their turn comes).
  local measured = rateCount / ((now - rateStart) / 1000)
  rateNow = rateNow > 0 and (0.5 * rateNow + 0.5 * measured) or measured
  rateStart, rateCount = now, 0
end
redis.call('HSET', ctl, 'rateStart', rateStart, 'rateCount', rateCount, 'rate', tostring(rateNow))
promote()
touch()
local reply = {redis.call('ZCARD', slots)}
for _, admittedUser in ipairs(promoted) do reply[#reply + 1] = admittedUser end
return reply
`;

/**
 * A buyer admitted from the queue is back (their gateway heard the admission)
 * and their order goes on: the slot promote() kept for them for the admit
 * window becomes the order's, with the order's lease. Sent while the order is
 * already on its way (waiting for it would leave the slot idle for a round
 * trip), so it counts the order in flight even if the admission had lapsed
 * meanwhile. Returns 1 if it took an admission, 0 if none was left.
 * ARGV: config JSON, user id.
 */
export const CLAIM_LUA = `
local slots, admitted = KEYS[1], KEYS[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cfg = cjson.decode(ARGV[1])
local took = redis.call('SREM', admitted, ARGV[2])
redis.call('ZADD', slots, now + cfg.leaseMs, ARGV[2])
return took
`;
