using Kling.Gateway.Observability;
using Kling.Gateway.Storage;
using Kling.Gateway.Tasks;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Recovery;

/// <summary>
/// Heals slots and finds orphans: reservations whose submit died with its process (SQLite: left by a previous process,
/// claimed from start-up once <c>Upstream:Timeout</c> has passed since they were made; Redis: leases no replica renewed)
/// are claimed here. Each is looked up upstream by the external id its submit carried, where the upstream can: a task
/// found is adopted for its tenant (recorded, its slot counted, its idempotency key answered); none found frees the slot.
/// Where no lookup is possible the slot is freed and a warning names the reservation as a possible orphan.
/// </summary>
internal sealed partial class AbandonedReservations(
    ITaskStore tasks,
    SubmitJournal journal,
    UpstreamClient upstream,
    UpstreamTarget target,
    IOptionsMonitor<UpstreamOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<AbandonedReservations> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<SlotReservation> claimed;
                do
                {
                    claimed = await tasks.ClaimAbandonedAsync(Batch);
                    foreach (var reservation in claimed)
                    {
                        await ResolveAsync(reservation);
                    }
                }
                while (claimed.Count == Batch);
            }
            catch (StoreUnavailableException ex)
            {
                LogClaimFailed(logger, ex.Message);
            }

            await Task.Delay(Interval(options.CurrentValue.Timeout), time, stoppingToken);
        }
    }

    /// <summary>A quarter of the upstream timeout, from 250 ms to 30 s: a reclaimable reservation waits at most that long.</summary>
    private static TimeSpan Interval(TimeSpan upstreamTimeout) =>
        TimeSpan.FromTicks(Math.Clamp(upstreamTimeout.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(30).Ticks));

    private async Task ResolveAsync(SlotReservation reservation)
    {
        var intent = reservation.Intent;
        if (target.CanLookUpByExternalTaskId && intent.UpstreamExternalId.Length > 0)
        {
            var found = await upstream.GetAsync("lookup", UpstreamPaths.Task(intent.UpstreamExternalId), taskId: null, intent.RequestId, CancellationToken.None);
            if (found.Reply is { IsSuccess: true } reply
                && ExternalTaskIds.AsClientSent(reply.Body, intent.ClientExternalId) is var answer
                && TaskSnapshot.Read(answer) is { } snapshot)
            {
                metrics.ReservationReclaimed(intent.TenantId, "adopted");
                LogAdopted(logger, intent.TenantId, snapshot.TaskId, intent.RequestId, intent.UpstreamExternalId);
                await journal.AcceptAsync(reservation, snapshot, reply.StatusCode, answer);
                return;
            }

            if (found.Reply is { StatusCode: StatusCodes.Status404NotFound })
            {
                // The submit never created a task: its slot (and key) are simply given back.
                metrics.ReservationReclaimed(intent.TenantId, "released");
                await journal.AbandonAsync(reservation);
                return;
            }
        }

        metrics.ReservationReclaimed(intent.TenantId, "orphaned");
        LogPossibleOrphan(logger, intent.TenantId, intent.RequestId, intent.UpstreamExternalId, reservation.CreatedAt);
        await journal.AbandonAsync(reservation);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Adopted task {TaskId} for {TenantId}: its submit (request {ClientRequestId}, external id {UpstreamExternalId}) died before it was recorded")]
    private static partial void LogAdopted(ILogger logger, string tenantId, string taskId, string clientRequestId, string upstreamExternalId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Possible orphan: the submit of {TenantId} (request {ClientRequestId}, external id {UpstreamExternalId}, reserved at {ReservedAt}) died in flight and the upstream cannot be asked about it; its slot is freed, but an upstream task may exist under that external id")]
    private static partial void LogPossibleOrphan(ILogger logger, string tenantId, string clientRequestId, string upstreamExternalId, DateTimeOffset reservedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming abandoned reservations failed: {Reason}; retrying next round")]
    private static partial void LogClaimFailed(ILogger logger, string reason);
}
