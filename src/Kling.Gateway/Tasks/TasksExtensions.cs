using Kling.Gateway.Tasks.Sqlite;

namespace Kling.Gateway.Tasks;

internal static class TasksExtensions
{
    public static IHostApplicationBuilder AddTasks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section)
            .Validate(o => o.Provider == "Sqlite", "Store:Provider must be Sqlite")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Sqlite.Path), "Store:Sqlite:Path is required")
            .ValidateOnStart();
        builder.Services.AddOptions<TasksOptions>().BindConfiguration(TasksOptions.Section)
            .Validate(o => o.RefreshInterval >= TimeSpan.FromSeconds(1), "Tasks:RefreshInterval must be at least 1 second")
            .Validate(o => o.RefreshBatch >= 1, "Tasks:RefreshBatch must be at least 1")
            .Validate(o => o.MaxTaskAge >= TimeSpan.FromMinutes(1), "Tasks:MaxTaskAge must be at least 1 minute")
            .Validate(o => o.IdempotencyWindow >= TimeSpan.FromHours(24), "Tasks:IdempotencyWindow must be at least 24 hours")
            .ValidateOnStart();
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddSingleton<ITaskStore, SqliteTaskStore>();
        builder.Services.AddSingleton<IIdempotencyStore, SqliteIdempotencyStore>();
        builder.Services.AddHostedService<ActiveTaskRefresher>();
        return builder;
    }
}
