using System.Security.Cryptography;
using Kling.Gateway.Storage;

namespace Kling.Gateway.Callbacks;

/// <summary>
/// Delivers the outbox: leases due events (the oldest of each task, so a task's events arrive in order), sends them
/// concurrently, and settles each by its answer. Woken at once by an event queued in this process, otherwise it looks
/// every second (for other replicas' events, retries coming due and leases left by a crashed replica).
/// </summary>
internal sealed partial class CallbackDispatcher(
    ICallbackOutbox outbox,
    CallbackSender sender,
    TenantWebhookSecrets secrets,
    CallbackMetrics metrics,
    TimeProvider time,
    ILogger<CallbackDispatcher> logger) : BackgroundService
{
    private const int Batch = 32;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longer than an attempt can take: a live holder always settles before its lease ends.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private readonly string _owner = Environment.MachineName + ":" + Environment.ProcessId + ":" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>An event was queued: look now rather than at the next poll.</summary>
    public void Wake() => _wake.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A fresh signal before looking: a wake while this round runs makes the next one start at once.
            var wake = _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var leased = 0;
            try
            {
                leased = await DeliverDueAsync(stoppingToken);
            }
            catch (StoreUnavailableException ex)
            {
                // Expected while the store is away: the events wait there, and leases lost meanwhile lapse.
                LogStoreUnavailable(logger, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRoundFailed(logger, ex);
            }

            if (leased < Batch)
            {
                await Task.WhenAny(wake.Task, Task.Delay(PollInterval, time, stoppingToken));
            }
        }
    }

    private async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await outbox.LeaseAsync(_owner, Batch, now, now + Lease);
        await Task.WhenAll(due.Select(callbackEvent => DeliverAsync(callbackEvent, cancellationToken)));
        return due.Count;
    }

    private async Task DeliverAsync(CallbackEvent callbackEvent, CancellationToken cancellationToken)
    {
        var keys = secrets.KeysFor(callbackEvent.TenantId);
        var result = keys.Count == 0
            ? AttemptResult.NoAnswer("the tenant has no webhook secret any more")
            : await sender.SendAsync(callbackEvent, keys, time.GetUtcNow(), cancellationToken);
        var now = time.GetUtcNow();
        var settlement = keys.Count == 0
            ? Settlement.Failed
            : RetrySchedule.Decide(result.Status, result.RetryAfter, callbackEvent.Attempts + 1, callbackEvent.CreatedAt, now, Random.Shared.NextDouble());
        await outbox.SettleAsync(callbackEvent, _owner, settlement, now);
        metrics.Attempted(callbackEvent.TenantId, settlement.Kind);
        if (settlement.Kind == SettlementKind.Delivered)
        {
            LogDelivered(logger, callbackEvent.EventId, callbackEvent.TenantId, callbackEvent.TaskId, result.Status!.Value, callbackEvent.Attempts + 1);
        }
        else
        {
            LogNotDelivered(logger, callbackEvent.EventId, callbackEvent.TenantId, callbackEvent.TaskId, callbackEvent.Attempts + 1,
                result.Status, Truncate(result.Detail), settlement.Kind, settlement.RetryAt);
        }
    }

    private static string Truncate(string detail) => detail.Length <= 200 ? detail : detail[..200];

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Callback {EventId} of tenant {TenantId} task {TaskId} delivered ({ReceiverStatus}) at attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, string eventId, string tenantId, string taskId, int receiverStatus, int attempt);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Callback {EventId} of tenant {TenantId} task {TaskId} attempt {Attempt} not delivered (receiver status {ReceiverStatus}: {Reason}); {Outcome}, next at {RetryAt}")]
    private static partial void LogNotDelivered(
        ILogger logger, string eventId, string tenantId, string taskId, int attempt, int? receiverStatus, string reason, SettlementKind outcome, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering callbacks failed: {Reason}; retrying next round")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A callback delivery round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
