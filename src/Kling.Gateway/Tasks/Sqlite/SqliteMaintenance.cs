using Kling.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>
/// What Redis does by itself with TTLs, done for SQLite: every <c>Tasks:RefreshInterval</c>, slots past the maximum task
/// age are freed and idempotency keys past their window are dropped. Idle with the Redis store.
/// </summary>
internal sealed partial class SqliteMaintenance(
    IServiceProvider services,
    IOptions<StoreOptions> store,
    IOptionsMonitor<TasksOptions> options,
    TimeProvider time,
    ILogger<SqliteMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.Value.UsesRedis)
        {
            return;
        }

        var tasks = services.GetRequiredService<SqliteTaskStore>();
        var idempotency = services.GetRequiredService<SqliteIdempotencyStore>();
        using var timer = new PeriodicTimer(options.CurrentValue.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await tasks.ExpireAsync();
                await idempotency.ExpireAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogExpiryFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring old slots and idempotency keys failed")]
    private static partial void LogExpiryFailed(ILogger logger, Exception exception);
}
