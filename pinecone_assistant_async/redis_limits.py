"""Rate-limit state in Redis, so several processes (or machines) share one project's limits.

>>> from pinecone_assistant_async.redis_limits import RedisBackend         # doctest: +SKIP
>>> shared = RateLimits.standard(backend=RedisBackend.from_url("redis://localhost:6379/0"))
>>> client = AssistantClient(rate_limits=shared)                           # doctest: +SKIP

Needs the ``redis`` extra (``pip install "pinecone-assistant-async[redis]"``, redis-py's asyncio
client). Each operation class has one sorted set of admissions (scored by time) and one hold
key (set after a 429, expiring with its Retry-After); every decision is one Lua script run
atomically in Redis with Redis' own clock, so processes on machines whose clocks differ
still agree. Keys live under ``prefix`` (one per project: processes sharing a prefix share
the limits) and expire on their own when nothing is sent.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidInputError

__all__ = ["RedisBackend"]

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
"""

_COSTS = """
local function cost_of(member)
  return tonumber(string.match(member, '^%d+:(%d+)'))
end
"""

# KEYS: window, hold, counter. ARGV: rate (-1: unknown), window ms, cost, held (1/0).
# Returns {1, member} when admitted, {0, milliseconds to wait} otherwise.
_ACQUIRE = (
    _NOW
    + _COSTS
    + """
if ARGV[4] == '1' then
  local hold = redis.call('PTTL', KEYS[2])
  if hold > 0 then return {0, tostring(hold)} end
end
local window = tonumber(ARGV[2])
local rate = tonumber(ARGV[1])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if rate >= 0 then
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #entries, 2 do used = used + cost_of(entries[i]) end
  if #entries > 0 and used + cost > rate then
    local need = used + cost - rate
    for i = 1, #entries, 2 do
      need = need - cost_of(entries[i])
      if need <= 0 then
        return {0, tostring(math.max(tonumber(entries[i + 1]) + window - now, 0.1))}
      end
    end
    return {0, tostring(window)}
  end
end
local member = redis.call('INCR', KEYS[3]) .. ':' .. cost
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 2))
redis.call('PEXPIRE', KEYS[3], math.ceil(window * 2))
return {1, member}
"""
)

# KEYS: window. ARGV: member, counted (1/0). An answered admission is dated to now (and
# marked settled with ":s"); a refused one is dropped. (The key's expiry is set by acquire.)
_SETTLE = (
    _NOW
    + """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':s')
end
return 1
"""
)

# KEYS: hold. ARGV: milliseconds. Only ever lengthens a hold.
_BLOCK = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', math.ceil(tonumber(ARGV[1])))
end
return 1
"""

# KEYS: window. ARGV: window ms. Units answered (settled) within the window.
_RECENT = (
    _NOW
    + _COSTS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local total = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, -2) == ':s' then total = total + cost_of(member) end
end
return total
"""
)


class RedisBackend:
    """A ``LimiterBackend`` on Redis (see the module docstring)."""

    def __init__(self, client: Any, *, prefix: str = "pinecone-assistant:limits") -> None:
        if not isinstance(prefix, str) or not prefix:
            raise InvalidInputError("prefix must be a non-empty string")
        self._redis = client
        self._prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._settle = client.register_script(_SETTLE)
        self._block = client.register_script(_BLOCK)
        self._recent = client.register_script(_RECENT)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "pinecone-assistant:limits") -> RedisBackend:
        """A backend on a new ``redis.asyncio.Redis`` for ``url`` (``redis://host:port/db``)."""
        try:
            import redis.asyncio as redis_asyncio
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise InvalidInputError(
                "RedisBackend needs the redis package: "
                'pip install "pinecone-assistant-async[redis]"'
            ) from None
        return cls(redis_asyncio.Redis.from_url(url), prefix=prefix)

    @property
    def client(self) -> Any:
        """The ``redis.asyncio.Redis`` client (close it with ``await backend.aclose()``)."""
        return self._redis

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _key(self, kind: str, part: str) -> str:
        return f"{self._prefix}:{kind}:{part}"

    async def acquire(
        self, kind: str, rate: int | None, window: float, cost: int, *, held: bool = True
    ) -> tuple[float, str | None]:
        keys = [self._key(kind, "window"), self._key(kind, "hold"), self._key(kind, "ids")]
        args = [-1 if rate is None else rate, window * 1000.0, cost, 1 if held else 0]
        admitted, value = await self._acquire(keys=keys, args=args)
        text = value.decode() if isinstance(value, bytes) else str(value)
        if int(admitted) == 1:
            return 0.0, text
        return float(text) / 1000.0, None

    async def settle(self, kind: str, ticket: str, counted: bool) -> None:
        await self._settle(keys=[self._key(kind, "window")], args=[ticket, 1 if counted else 0])

    async def block(self, kind: str, seconds: float) -> None:
        await self._block(keys=[self._key(kind, "hold")], args=[seconds * 1000.0])

    async def recent(self, kind: str, window: float) -> int:
        return int(await self._recent(keys=[self._key(kind, "window")], args=[window * 1000.0]))
