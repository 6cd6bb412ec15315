namespace Kling.Gateway.Storage;

internal static class StorageExtensions
{
    /// <summary>
    /// Where the gateway keeps its state (<c>Store</c>) and the one Redis connection every feature storing there shares;
    /// it connects when first used, so a gateway on SQLite never opens it.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section)
            .Validate(o => o.Provider is StoreOptions.SqliteProvider or StoreOptions.RedisProvider, "Store:Provider must be Sqlite or Redis")
            .Validate(o => o.UsesRedis || !string.IsNullOrWhiteSpace(o.Sqlite.Path), "Store:Sqlite:Path is required")
            .Validate(o => !o.UsesRedis || !string.IsNullOrWhiteSpace(o.Redis.Configuration), "Store:Redis:Configuration is required")
            .Validate(o => o.Redis.Timeout >= TimeSpan.FromMilliseconds(50), "Store:Redis:Timeout must be at least 50 ms")
            .ValidateOnStart();
        builder.Services.AddSingleton<RedisConnection>();
        return builder;
    }
}
