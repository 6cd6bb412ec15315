using Kling.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>
/// Renews the leases of the reservations this process holds, every half of <c>Upstream:Timeout</c> (a lease lasts twice
/// it), so a reservation lapses only once its process has stopped renewing it. A renewal that fails during an outage is
/// simply tried again next round. Idle with the SQLite store.
/// </summary>
internal sealed partial class RedisLeaseRenewal(
    IServiceProvider services,
    IOptions<StoreOptions> store,
    HeldReservations held,
    TimeProvider time,
    ILogger<RedisLeaseRenewal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.Value.UsesRedis)
        {
            return;
        }

        var tasks = services.GetRequiredService<RedisTaskStore>();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(tasks.LeaseDuration / 4, time, stoppingToken);
            var ids = held.Ids;
            if (ids.Count == 0)
            {
                continue;
            }

            try
            {
                await tasks.RenewLeasesAsync([.. ids]);
            }
            catch (StoreUnavailableException ex)
            {
                LogRenewalFailed(logger, ids.Count, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing {Count} reservation leases failed: {Reason}; retrying next round")]
    private static partial void LogRenewalFailed(ILogger logger, int count, string reason);
}
