using Kling.Gateway.Storage;
using Kling.Gateway.Tasks.Redis;
using Kling.Gateway.Tasks.Sqlite;

namespace Kling.Gateway.Tasks;

internal static class TasksExtensions
{
    /// <summary>
    /// The task and idempotency stores: SQLite for one gateway, or Redis shared by replicas.
    /// Chosen from <c>Store:Provider</c> when first used (so test hosts can set it too).
    /// </summary>
    public static IHostApplicationBuilder AddTasks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TasksOptions>().BindConfiguration(TasksOptions.Section)
            .Validate(o => o.RefreshInterval >= TimeSpan.FromSeconds(1), "Tasks:RefreshInterval must be at least 1 second")
            .Validate(o => o.RefreshBatch >= 1, "Tasks:RefreshBatch must be at least 1")
            .Validate(o => o.MaxTaskAge >= TimeSpan.FromMinutes(1), "Tasks:MaxTaskAge must be at least 1 minute")
            .Validate(o => o.IdempotencyWindow >= TimeSpan.FromHours(24), "Tasks:IdempotencyWindow must be at least 24 hours")
            .Validate(o => o.ResultRetention >= TimeSpan.FromHours(1), "Tasks:ResultRetention must be at least 1 hour")
            .ValidateOnStart();

        var services = builder.Services;
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteTaskStore>();
        services.AddSingleton<SqliteIdempotencyStore>();
        services.AddSingleton<RedisTaskStore>();
        services.AddSingleton<RedisIdempotencyStore>();
        services.AddSingleton(sp => StoreOptions.UsesRedisIn(sp)
            ? new CachedTaskStore(sp.GetRequiredService<RedisTaskStore>(), shared: true, sp.GetRequiredService<TimeProvider>())
            : new CachedTaskStore(sp.GetRequiredService<SqliteTaskStore>(), shared: false, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<CachedTaskStore>());
        services.AddSingleton<IIdempotencyStore>(sp =>
            StoreOptions.UsesRedisIn(sp) ? sp.GetRequiredService<RedisIdempotencyStore>() : sp.GetRequiredService<SqliteIdempotencyStore>());
        services.AddSingleton<HeldReservations>();
        services.AddSingleton<SubmitJournal>();
        services.AddHostedService(sp => sp.GetRequiredService<SubmitJournal>());
        services.AddHostedService<RedisLeaseRenewal>();
        services.AddHostedService<SqliteMaintenance>();
        services.AddHostedService<ActiveTaskGauge>();
        services.AddHealthChecks().AddCheck<StoreReadinessCheck>("store", tags: ["ready"]);
        return builder;
    }
}
