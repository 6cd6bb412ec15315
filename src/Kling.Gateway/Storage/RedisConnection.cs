using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Storage;

/// <summary>
/// The one multiplexer to Redis, shared by every feature that keeps state there. It never gives up reconnecting, and every call is bounded by
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
        KeyPrefix = redis.KeyPrefix;
    }

    /// <summary>Prepended to every key the gateway uses (<c>Store:Redis:KeyPrefix</c>).</summary>
    public string KeyPrefix { get; }

    /// <summary>A key of the gateway's, under the prefix.</summary>
    public RedisKey Key(string name) => KeyPrefix + name;

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
