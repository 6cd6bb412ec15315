namespace Kling.Gateway.Storage;

/// <summary>Where task state lives; the <c>Store</c> section.</summary>
internal sealed class StoreOptions
{
    public const string Section = "Store";

    public const string SqliteProvider = "Sqlite";
    public const string RedisProvider = "Redis";

    /// <summary><c>Sqlite</c> (embedded, one gateway; the default) or <c>Redis</c> (shared by every replica).</summary>
    public string Provider { get; set; } = SqliteProvider;

    public SqliteStoreOptions Sqlite { get; set; } = new();

    public RedisStoreOptions Redis { get; set; } = new();

    public bool UsesRedis => Provider == RedisProvider;

    /// <summary>Whether the configured store is Redis, for registrations that pick an implementation.</summary>
    public static bool UsesRedisIn(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>().Value.UsesRedis;
}

internal sealed class RedisStoreOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Prepended to every key, so several gateways (or other applications) can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "kling-gateway:";

    /// <summary>How long a Redis call may take before the request fails with 503 (connect, send and answer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

internal sealed class SqliteStoreOptions
{
    /// <summary>Database file; a relative path is relative to the gateway's content root.</summary>
    public string Path { get; set; } = "data/gateway.db";
}
