namespace Kling.Gateway.Tasks;

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

/// <summary>How long task state is kept and how it is refreshed; the <c>Tasks</c> section.</summary>
internal sealed class TasksOptions
{
    public const string Section = "Tasks";

    /// <summary>How often the background refresher looks for running tasks nobody has polled lately.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many upstream queries per refresh round, so the refresher never floods the upstream.</summary>
    public int RefreshBatch { get; set; } = 20;

    /// <summary>A task older than this no longer holds an active-task slot, whatever the upstream says: slots never leak.</summary>
    public TimeSpan MaxTaskAge { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How long a finished task's result is served by the gateway itself (the upstream's video URLs live about 30 days);
    /// with Redis, finished tasks are deleted after it.
    /// </summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an <c>Idempotency-Key</c> (or <c>external_task_id</c>) replays its first answer.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
}
