using Microsoft.Extensions.Caching.Memory;

namespace Kling.Gateway.Tasks;

/// <summary>
/// Keeps the tasks this process has recently seen in memory, so that a poll costs no store read. Safe with replicas:
/// a task's owner never changes, and a stale status here only means one store write more or one skipped write of
/// an answer the store already has something at least as new for.
/// </summary>
/// <param name="shared">Whether other processes write to the store too (Redis); a store only this process writes has
/// nothing newer than what this process remembers, so asking it for the latest state is skipped.</param>
internal sealed class CachedTaskStore(ITaskStore store, bool shared, TimeProvider time) : ITaskStore, IDisposable
{
    private const int Capacity = 10_000;
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    // A compaction sorts every entry by last use, whatever share it removes: under a stream of submits the default 5 %
    // (one compaction per 500 new tasks) made it a few per cent of the gateway's CPU.
    private readonly MemoryCache _recent = new(new MemoryCacheOptions
    {
        SizeLimit = Capacity,
        CompactionPercentage = 0.25,
        Clock = new SystemClockAdapter(time),
    });

    public Task<SlotDecision> TryReserveSlotAsync(SubmitIntent intent, int maxActiveTasks, UnitCharge charge) =>
        store.TryReserveSlotAsync(intent, maxActiveTasks, charge);

    public Task ReleaseSlotAsync(SlotReservation reservation) => store.ReleaseSlotAsync(reservation);

    public async Task<RecordOutcome> RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot)
    {
        var outcome = await store.RecordSubmittedAsync(reservation, snapshot);
        if (outcome == RecordOutcome.Recorded)
        {
            var now = time.GetUtcNow();
            var intent = reservation.Intent;
            Remember(new TaskRecord(snapshot.TaskId, intent.TenantId, intent.Model, snapshot.Status,
                reservation.CreatedAt, now, now, intent.RequestId, snapshot.Data, snapshot.Response, intent.ClientExternalId));
        }

        return outcome;
    }

    public Task<IReadOnlyList<SlotReservation>> ClaimAbandonedAsync(int limit) => store.ClaimAbandonedAsync(limit);

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId)
    {
        if (_recent.TryGetValue(taskId, out TaskRecord? known))
        {
            return known!.TenantId == tenantId ? known : null;
        }

        return await FindLatestAsync(tenantId, taskId);
    }

    /// <summary>
    /// The task as the store has it now, not as this process remembers it (another replica may have learnt more);
    /// for a store only this process writes, what it remembers is the latest.
    /// </summary>
    public async Task<TaskRecord?> FindLatestAsync(string tenantId, string taskId)
    {
        if (!shared && _recent.TryGetValue(taskId, out TaskRecord? known))
        {
            return known!.TenantId == tenantId ? known : null;
        }

        return Remembered(await store.FindAsync(tenantId, taskId));
    }

    public async Task<TaskRecord?> FindByExternalIdAsync(string tenantId, string clientExternalId)
    {
        return Remembered(await store.FindByExternalIdAsync(tenantId, clientExternalId));
    }

    public async Task ObserveAsync(string tenantId, TaskSnapshot snapshot)
    {
        await store.ObserveAsync(tenantId, snapshot);
        if (_recent.TryGetValue(snapshot.TaskId, out TaskRecord? known) && known!.TenantId == tenantId)
        {
            var now = time.GetUtcNow();
            Remember(known with
            {
                Status = snapshot.Status,
                Data = snapshot.Data,
                Response = snapshot.Response,
                ObservedAt = now,
                UpdatedAt = known.Status == snapshot.Status ? known.UpdatedAt : now,
            });
        }
    }

    public Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize) =>
        store.ListAsync(tenantId, pageNum, pageSize);

    public Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit) =>
        store.DueForRefreshAsync(observedBefore, limit);

    public Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds) =>
        store.ActiveCountsAsync(tenantIds);

    public Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods) =>
        store.UnitTotalsAsync(tenantIds, periods);

    public Task PingAsync() => store.PingAsync();

    public void Dispose() => _recent.Dispose();

    private TaskRecord? Remembered(TaskRecord? found)
    {
        if (found is not null)
        {
            Remember(found);
        }

        return found;
    }

    private void Remember(TaskRecord record) =>
        _recent.Set(record.TaskId, record, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });

    /// <summary>Lets the cache expire entries on the gateway's clock.</summary>
    private sealed class SystemClockAdapter(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
