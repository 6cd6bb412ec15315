using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>
/// The one multiplexer to Redis. It never gives up reconnecting, and every call is bounded by
/// <c>Store:Redis:Timeout</c>: while Redis is away requests fail fast with 503, and recover when it returns.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;

    public RedisConnection(IOptions<StoreOptions> options)
    {
        var redis = options.Value.Redis;
        var configuration = ConfigurationOptions.Parse(redis.Configuration);
        var timeout = (int)redis.Timeout.TotalMilliseconds;
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ClientName ??= "kling-gateway";
        _multiplexer = ConnectionMultiplexer.Connect(configuration);
        Keys = new RedisKeys(redis.KeyPrefix);
    }

    public RedisKeys Keys { get; }

    /// <summary>Runs one Redis operation; connection loss and timeouts become <see cref="StoreUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        try
        {
            return await operation(_multiplexer.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new StoreUnavailableException("the gateway state store (Redis) is unavailable", ex);
        }
    }

    public void Dispose() => _multiplexer.Dispose();
}

/// <summary>Every key the gateway uses, under one prefix.</summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public RedisKey Task(string taskId) => Prefix + "task:" + taskId;

    /// <summary>Sorted set: the tenant's task ids by creation time (for lists).</summary>
    public RedisKey TenantTasks(string tenantId) => Prefix + "tenant:" + tenantId + ":tasks";

    /// <summary>Sorted set: what holds the tenant's active-task slots (reservations and running tasks) by creation time.</summary>
    public RedisKey TenantSlots(string tenantId) => Prefix + "tenant:" + tenantId + ":slots";

    /// <summary>Hash: the units each unsettled reservation or task of the tenant holds (JSON: estimate, usage keys, model|mode).</summary>
    public RedisKey TenantCharges(string tenantId) => Prefix + "tenant:" + tenantId + ":charges";

    /// <summary>Hash: the tenant's reserved and used units in a period, in total and per <c>model|mode</c>.</summary>
    public RedisKey TenantUnits(string tenantId, string period) => Prefix + "tenant:" + tenantId + ":units:" + period;

    /// <summary>Sorted set: running tasks by last observation, for the refresher.</summary>
    public RedisKey Running => Prefix + "running";

    public RedisKey ReservationSequence => Prefix + "reservation-seq";

    /// <summary>The tenant id is length-prefixed, so no tenant/key pair can spell another's.</summary>
    public RedisKey Idempotency(string tenantId, string key) =>
        Prefix + "idempotency:" + tenantId.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + tenantId + ":" + key;

    public RedisKey RateLimit(RateLimiting.RatePolicy policy, int perMinute, string tenantId) =>
        Prefix + "rate:" + (policy == RateLimiting.RatePolicy.Submit ? "submit:" : "query:")
        + perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + tenantId;
}
