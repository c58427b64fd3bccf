/**
 * The store's Lua scripts. Every script touches keys of one hash tag only (one slot), so they run
 * unchanged on Redis Cluster; docs/store.md lists the keys.
 */

/**
 * KEYS: subs, version, limits, symbol set, chat set, user set.
 * ARGV: id, json, kind, default per-user, default per-chat, user limit field, chat limit field.
 * Index keys derive from the id's parts, so a replace never moves a record between sets.
 */
const PUT_SUB = `
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1])
if exists == 0 then
  if ARGV[3] == 'watch' then
    local lu = tonumber(redis.call('HGET', KEYS[3], ARGV[6]) or ARGV[4])
    if redis.call('SCARD', KEYS[6]) >= lu then return {'limit', 'user', lu} end
  end
  local lc = tonumber(redis.call('HGET', KEYS[3], ARGV[7]) or ARGV[5])
  if redis.call('SCARD', KEYS[5]) >= lc then return {'limit', 'chat', lc} end
  redis.call('SADD', KEYS[4], ARGV[1])
  redis.call('SADD', KEYS[5], ARGV[1])
  if ARGV[3] == 'watch' then redis.call('SADD', KEYS[6], ARGV[1]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
if exists == 1 then return {'updated'} end
return {'created'}
`;

/** KEYS: subs, version. ARGV: id, expected json, new json. 1 written, 0 changed meanwhile, -1 gone. */
const CAS_SUB = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return -1 end
if cur ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[2])
return 1
`;

/** KEYS: subs, version, symbol set, chat set, user set. ARGV: id. */
const DEL_SUB = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
redis.call('INCR', KEYS[2])
return 1
`;

/** KEYS: an index set, subs. The records the set names: the reverse index in one round trip. */
const READ_INDEX = `
local ids = redis.call('SMEMBERS', KEYS[1])
if #ids == 0 then return {} end
local out = {}
for i = 1, #ids, 5000 do
  local chunk = {}
  for j = i, math.min(i + 4999, #ids) do chunk[#chunk + 1] = ids[j] end
  local vals = redis.call('HMGET', KEYS[2], unpack(chunk))
  for _, v in ipairs(vals) do if v then out[#out + 1] = v end end
end
return out
`;

/**
 * KEYS: the stream's ids zset, the stream's events hash, the symbol's venue set.
 * ARGV: id, ts, json, cap, venue. 1 recorded, 0 already there.
 */
const RECORD_ALERT = `
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[5])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
return 1
`;

/** KEYS: the stream's ids zset, events hash. ARGV: limit. Newest first. */
const READ_HISTORY = `
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
`;

/** KEYS: feedback hash. ARGV: voter, vote ('' withdraws), ttl ms. Returns every vote. */
const FEEDBACK = `
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HVALS', KEYS[1])
`;

/**
 * KEYS: window hash and held zset of each destination, in pairs. ARGV: item, now, window ms, key
 * ttl ms. Returns per destination two numbers: 0 send, 1 hold (first: schedule the flush), 2
 * hold; then the window end (flushAt).
 */
const BURST_OFFER = `
local item = ARGV[1]
local now = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS, 2 do
  local win, held = KEYS[i], KEYS[i + 1]
  local e = tonumber(redis.call('HGET', win, 'end') or '0')
  if redis.call('HEXISTS', win, 'lead:' .. item) == 1 then
    out[#out + 1] = 0; out[#out + 1] = e
  elseif redis.call('ZSCORE', held, item) then
    out[#out + 1] = 2; out[#out + 1] = e
  elseif now >= e then
    redis.call('DEL', win)
    redis.call('HSET', win, 'end', now + tonumber(ARGV[3]), 'lead:' .. item, 1)
    redis.call('PEXPIRE', win, ARGV[4])
    out[#out + 1] = 0; out[#out + 1] = now + tonumber(ARGV[3])
  else
    redis.call('ZADD', held, now, item)
    redis.call('PEXPIRE', held, ARGV[4])
    if redis.call('ZCARD', held) == 1 then out[#out + 1] = 1 else out[#out + 1] = 2 end
    out[#out + 1] = e
  end
end
return out
`;

/**
 * KEYS: window hash, held zset, taken zset (per flush). ARGV: now, window ms, key ttl ms.
 * Returns the taken members: `h:<item>` held, `l:<item>` the window's leads.
 */
const BURST_TAKE = `
if redis.call('EXISTS', KEYS[3]) == 1 then return redis.call('ZRANGE', KEYS[3], 0, -1) end
local items = redis.call('ZRANGE', KEYS[2], 0, -1)
if #items == 0 then return {} end
for _, it in ipairs(items) do redis.call('ZADD', KEYS[3], 0, 'h:' .. it) end
local fields = redis.call('HKEYS', KEYS[1])
for _, f in ipairs(fields) do
  if string.sub(f, 1, 5) == 'lead:' then
    redis.call('ZADD', KEYS[3], 0, 'l:' .. string.sub(f, 6))
    redis.call('HDEL', KEYS[1], f)
  end
end
redis.call('DEL', KEYS[2])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], 'end', tonumber(ARGV[1]) + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZRANGE', KEYS[3], 0, -1)
`;

/**
 * KEYS: a delivery's send-attempt marker (hash). ARGV: at, attempt, ttl ms. Returns the marker it
 * replaces as at, attempt, first (nils when there was none); `first` survives the replacement.
 */
const MARK_ATTEMPT = `
local prev = redis.call('HMGET', KEYS[1], 'at', 'attempt', 'first')
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'attempt', ARGV[2])
redis.call('HSETNX', KEYS[1], 'first', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return prev
`;

export const STORE_SCRIPTS = {
  putSub: { keys: 6, lua: PUT_SUB },
  casSub: { keys: 2, lua: CAS_SUB },
  delSub: { keys: 5, lua: DEL_SUB },
  readIndex: { keys: 2, lua: READ_INDEX },
  recordAlert: { keys: 3, lua: RECORD_ALERT },
  readHistory: { keys: 2, lua: READ_HISTORY },
  feedback: { keys: 1, lua: FEEDBACK },
  burstOffer: { keys: -1, lua: BURST_OFFER },
  burstTake: { keys: 3, lua: BURST_TAKE },
  markAttempt: { keys: 1, lua: MARK_ATTEMPT },
};

export type StoreScript = keyof typeof STORE_SCRIPTS;
