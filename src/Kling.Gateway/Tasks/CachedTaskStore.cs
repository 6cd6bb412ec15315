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

    private readonly MemoryCache _recent = new(new MemoryCacheOptions { SizeLimit = Capacity, Clock = new SystemClockAdapter(time) });

    public Task<SlotDecision> TryReserveSlotAsync(string tenantId, string model, string requestId, int maxActiveTasks, UnitCharge charge, CancellationToken cancellationToken) =>
        store.TryReserveSlotAsync(tenantId, model, requestId, maxActiveTasks, charge, cancellationToken);

    public Task ReleaseSlotAsync(SlotReservation reservation, CancellationToken cancellationToken) =>
        store.ReleaseSlotAsync(reservation, cancellationToken);

    public async Task RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot, CancellationToken cancellationToken)
    {
        await store.RecordSubmittedAsync(reservation, snapshot, cancellationToken);
        var now = time.GetUtcNow();
        Remember(new TaskRecord(snapshot.TaskId, reservation.TenantId, reservation.Model, snapshot.Status,
            reservation.CreatedAt, now, now, reservation.RequestId, snapshot.Data, snapshot.Response));
    }

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId, bool latest, CancellationToken cancellationToken)
    {
        if ((!latest || !shared) && _recent.TryGetValue(taskId, out TaskRecord? known))
        {
            return known!.TenantId == tenantId ? known : null;
        }

        var found = await store.FindAsync(tenantId, taskId, latest, cancellationToken);
        if (found is not null)
        {
            Remember(found);
        }

        return found;
    }

    public async Task ObserveAsync(string tenantId, TaskSnapshot snapshot, CancellationToken cancellationToken)
    {
        await store.ObserveAsync(tenantId, snapshot, cancellationToken);
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

    public Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize, CancellationToken cancellationToken) =>
        store.ListAsync(tenantId, pageNum, pageSize, cancellationToken);

    public Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit, CancellationToken cancellationToken) =>
        store.DueForRefreshAsync(observedBefore, limit, cancellationToken);

    public Task ExpireAsync(CancellationToken cancellationToken) => store.ExpireAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds, CancellationToken cancellationToken) =>
        store.ActiveCountsAsync(tenantIds, cancellationToken);

    public Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods, CancellationToken cancellationToken) =>
        store.UnitTotalsAsync(tenantIds, periods, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);

    public void Dispose() => _recent.Dispose();

    private void Remember(TaskRecord record) =>
        _recent.Set(record.TaskId, record, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });

    /// <summary>Lets the cache expire entries on the gateway's clock.</summary>
    private sealed class SystemClockAdapter(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
