using System.Globalization;
using Kling.Gateway.Storage;
using StackExchange.Redis;

namespace Kling.Gateway.RateLimiting;

/// <summary>
/// Per-tenant limits shared by every replica: GCRA (the token bucket as one timestamp) in one Lua script, so each
/// admission is one atomic round trip. Time is Redis's own clock, so replicas with skewed clocks still agree.
/// Same behaviour as the in-process limiter: a minute's allowance at once, then one request per minute / limit.
/// </summary>
internal sealed class RedisRateLimiter(RedisConnection redis) : ITenantRateLimiter
{
    // Microseconds throughout (doubles: below a microsecond per request, i.e. above 60 million per minute, the limit
    // is effectively off). TAT = the theoretical arrival time of the next request if all were evenly spaced.
    private const string GcraScript = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local limit = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local burst = interval * limit
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local next_tat = tat + interval
        if next_tat - now > burst then
            return {0, 0, tat - now, next_tat - burst - now}
        end
        redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.max(1, math.ceil((next_tat - now) / 1000)))
        return {1, math.min(limit - 1, math.floor((burst - (next_tat - now)) / interval)), next_tat - now, 0}
        """;

    public async ValueTask<RateLimitDecision> AcquireAsync(string tenantId, RatePolicy policy, int perMinute, CancellationToken cancellationToken)
    {
        // Fractional for limits above a million per minute.
        var interval = 60_000_000.0 / perMinute;
        var result = (long[])(await redis.RunAsync(db => db.ScriptEvaluateAsync(
            GcraScript, [Key(policy, perMinute, tenantId)], [perMinute, interval])))!;
        return new RateLimitDecision(
            Admitted: result[0] == 1,
            Limit: perMinute,
            Remaining: (int)result[1],
            Reset: TimeSpan.FromMicroseconds(result[2]),
            RetryAfter: TimeSpan.FromMicroseconds(result[3]));
    }

    /// <summary>One bucket per tenant, policy and limit: a changed limit starts a fresh bucket.</summary>
    private RedisKey Key(RatePolicy policy, int perMinute, string tenantId) =>
        redis.Key("rate:" + (policy == RatePolicy.Submit ? "submit:" : "query:") + perMinute.ToString(CultureInfo.InvariantCulture) + ":" + tenantId);
}
