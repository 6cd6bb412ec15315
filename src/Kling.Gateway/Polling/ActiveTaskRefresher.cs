using Kling.Gateway.Storage;
using Kling.Gateway.Tasks;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Polling;

/// <summary>
/// Keeps slots honest for tasks nobody polls: every <c>Tasks:RefreshInterval</c> it asks the upstream about at most
/// <c>Tasks:RefreshBatch</c> running tasks not observed for that long (one at a time, so the upstream sees a trickle).
/// </summary>
internal sealed partial class ActiveTaskRefresher(
    ITaskStore tasks,
    TaskObservations observations,
    IOptionsMonitor<TasksOptions> options,
    TimeProvider time,
    ILogger<ActiveTaskRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshOnceAsync();
            }
            catch (StoreUnavailableException ex)
            {
                // Expected during a store outage: the reason, not a stack trace; the next round tries again.
                LogStoreUnavailable(logger, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(logger, ex);
            }
        }
    }

    private async Task RefreshOnceAsync()
    {
        var settings = options.CurrentValue;
        var due = await tasks.DueForRefreshAsync(time.GetUtcNow() - settings.RefreshInterval, settings.RefreshBatch);
        var refreshed = 0;
        foreach (var task in due)
        {
            // The same path as a client's poll: a query of the task in flight at this moment is joined, not repeated.
            var observation = await observations.FetchAsync(task, requestId: null);
            refreshed += observation.Reply is { IsSuccess: true } ? 1 : 0;
        }

        if (due.Count > 0)
        {
            LogRefreshed(logger, refreshed, due.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed {Refreshed} of {Due} running tasks nobody polled")]
    private static partial void LogRefreshed(ILogger logger, int refreshed, int due);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing running tasks skipped: {Reason}; retrying next round")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refreshing running tasks failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
