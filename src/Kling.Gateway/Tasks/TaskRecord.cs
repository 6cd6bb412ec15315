namespace Kling.Gateway.Tasks;

/// <summary>A task the gateway created, and what it last learnt of it.</summary>
/// <param name="Data">The upstream's last <c>data</c> object for the task, as JSON.</param>
internal sealed record TaskRecord(
    string TaskId,
    string TenantId,
    string Model,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ObservedAt,
    string RequestId,
    string? Data)
{
    public static bool IsFinished(string status) => status is "succeed" or "failed";

    /// <summary>
    /// Whether an answer is worth a store write: it says something new, or the last write is old enough that the
    /// refresher (which polls tasks unobserved for <paramref name="refreshInterval"/>) would soon poll it needlessly.
    /// </summary>
    public bool NeedsUpdate(TaskSnapshot snapshot, DateTimeOffset now, TimeSpan refreshInterval) =>
        snapshot.Status != Status || snapshot.Data != Data || now - ObservedAt >= refreshInterval / 2;
}
