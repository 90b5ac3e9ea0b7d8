"""The Redis channel layer with a connection pool that waits instead of failing.

redis-py's default pool raises "Too many connections" past its limit. When thousands of
chargers disconnect or reconnect at once, each needs a Redis round trip (group add/discard);
a blocking pool queues them for a moment instead of failing the handshake.
"""

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(host.pop("address"), **host)
