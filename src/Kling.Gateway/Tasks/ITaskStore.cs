namespace Kling.Gateway.Tasks;

/// <summary>Task ownership and active-task slots. Every write is atomic, so concurrent requests never miscount.</summary>
internal interface ITaskStore
{
    /// <summary>
    /// Takes an active-task slot for a submit about to be forwarded and reserves its estimated units, in one atomic
    /// step; refuses when the tenant's slots are all in use or the estimate does not fit the day's or the month's budget.
    /// </summary>
    Task<SlotDecision> TryReserveSlotAsync(string tenantId, string model, string requestId, int maxActiveTasks, UnitCharge charge, CancellationToken cancellationToken);

    /// <summary>Gives back a slot, and its units, whose submit did not create a task.</summary>
    Task ReleaseSlotAsync(SlotReservation reservation, CancellationToken cancellationToken);

    /// <summary>Records the task the upstream created as the tenant's, in the reserved slot.</summary>
    Task RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The tenant's own task, or null: another tenant's task is indistinguishable from an unknown one.</summary>
    /// <param name="latest">Read the store itself, not a copy this process kept (another replica may have learnt more).</param>
    Task<TaskRecord?> FindAsync(string tenantId, string taskId, bool latest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores what the upstream said of the tenant's task; a finished task frees its slot and settles its units to
    /// <see cref="TaskSnapshot.Charge"/> (else the estimate) exactly once, whichever replica or poll sees it first.
    /// </summary>
    Task ObserveAsync(string tenantId, TaskSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The tenant's tasks, newest first.</summary>
    Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Running tasks not observed since <paramref name="observedBefore"/>, least recently observed first; they count as
    /// observed now, so replicas sharing the store do not refresh the same task twice.
    /// </summary>
    Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Frees the slots of tasks older than the maximum task age (and of reservations left by a crash).</summary>
    Task ExpireAsync(CancellationToken cancellationToken);

    /// <summary>Slots in use by each of these tenants.</summary>
    Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds, CancellationToken cancellationToken);

    /// <summary>The tenants' units in these periods (<see cref="UnitCharge.Day"/>, <see cref="UnitCharge.Month"/> or <see cref="UnitCharge.Total"/>).</summary>
    Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="StoreUnavailableException"/> unless the store answers.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
