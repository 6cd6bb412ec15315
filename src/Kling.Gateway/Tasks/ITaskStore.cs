namespace Kling.Gateway.Tasks;

/// <summary>
/// Task ownership and active-task slots. Every write is atomic, so concurrent requests never miscount. Calls are bounded
/// by the store itself (<c>Store:Redis:Timeout</c>; SQLite is local), not by the caller: a write the gateway owes (the
/// task the upstream created) must not be abandoned because a client went away.
/// </summary>
internal interface ITaskStore
{
    /// <summary>
    /// Takes an active-task slot for a submit about to be forwarded and reserves its estimated units, in one atomic
    /// step; refuses when the tenant's slots are all in use or the estimate does not fit the day's or the month's budget.
    /// </summary>
    Task<SlotDecision> TryReserveSlotAsync(SubmitIntent intent, int maxActiveTasks, UnitCharge charge);

    /// <summary>Gives back a slot, and its units, whose submit did not create a task.</summary>
    Task ReleaseSlotAsync(SlotReservation reservation);

    /// <summary>
    /// Records the task the upstream created as the tenant's, in the reserved slot (insert-if-absent: a task id already
    /// recorded keeps its owner). Also when the reservation itself is gone: the task exists and is the tenant's.
    /// </summary>
    Task<RecordOutcome> RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot);

    /// <summary>
    /// Reservations whose submit died with its process, taken over by this one: on SQLite those a previous process left
    /// once <c>Upstream:Timeout</c> has passed since they were made; on Redis those whose lease has lapsed. Each is
    /// returned to one caller only, which must record or release it.
    /// </summary>
    Task<IReadOnlyList<SlotReservation>> ClaimAbandonedAsync(int limit);

    /// <summary>The tenant's own task, or null: another tenant's task is indistinguishable from an unknown one.</summary>
    Task<TaskRecord?> FindAsync(string tenantId, string taskId);

    /// <summary>The tenant's newest task submitted with this <c>external_task_id</c> of its own, or null.</summary>
    Task<TaskRecord?> FindByExternalIdAsync(string tenantId, string clientExternalId);

    /// <summary>
    /// Stores what the upstream said of the tenant's task; a finished task frees its slot and settles its units to
    /// <see cref="TaskSnapshot.Charge"/> (else the estimate) exactly once, whichever replica or poll sees it first.
    /// </summary>
    Task ObserveAsync(string tenantId, TaskSnapshot snapshot);

    /// <summary>The tenant's tasks, newest first.</summary>
    Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize);

    /// <summary>
    /// Running tasks not observed since <paramref name="observedBefore"/>, least recently observed first; they count as
    /// observed now, so replicas sharing the store do not refresh the same task twice. Tasks past the maximum task age
    /// give up their slots here instead.
    /// </summary>
    Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit);

    /// <summary>Slots in use by each of these tenants.</summary>
    Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds);

    /// <summary>The tenants' units in these periods (<see cref="UnitCharge.Day"/>, <see cref="UnitCharge.Month"/> or <see cref="UnitCharge.Total"/>).</summary>
    Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods);

    /// <summary>Throws <see cref="Storage.StoreUnavailableException"/> unless the store answers.</summary>
    Task PingAsync();
}
