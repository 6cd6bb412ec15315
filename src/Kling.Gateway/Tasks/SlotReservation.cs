namespace Kling.Gateway.Tasks;

/// <summary>A submit about to be forwarded: whose it is and the names it goes by.</summary>
/// <param name="UpstreamExternalId">The <c>external_task_id</c> the upstream sees (see <see cref="ExternalTaskIds"/>).</param>
/// <param name="ClientExternalId">The client's own <c>external_task_id</c>, shown back to it; null when it sent none.</param>
/// <param name="IdempotencyKey">The submit's idempotency key, settled together with the task.</param>
internal sealed record SubmitIntent(
    string TenantId, string Model, string RequestId, string UpstreamExternalId, string? ClientExternalId, string? IdempotencyKey);

/// <summary>
/// An active-task slot held for a submit in flight; it becomes the task's slot once the upstream answers. A reservation
/// whose process died is found again (<see cref="ITaskStore.ClaimAbandonedAsync"/>) by what it knew.
/// </summary>
internal sealed record SlotReservation(long Id, SubmitIntent Intent, DateTimeOffset CreatedAt)
{
    public string TenantId => Intent.TenantId;
}

/// <summary>What recording a task the upstream created came to.</summary>
internal enum RecordOutcome
{
    Recorded,

    /// <summary>The tenant already owns the task (recorded before: a write that timed out but happened, or an adoption).</summary>
    AlreadyRecorded,

    /// <summary>Another tenant owns that task id: the store never changes a task's owner.</summary>
    OwnedByAnotherTenant,
}
