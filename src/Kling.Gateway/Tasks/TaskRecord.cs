namespace Kling.Gateway.Tasks;

/// <summary>A task the gateway created, and what it last learnt of it.</summary>
/// <param name="ClientExternalId">The client's own <c>external_task_id</c>, if it sent one.</param>
/// <param name="ObservedAt">When the upstream last answered about it.</param>
/// <param name="Data">The upstream's last <c>data</c> object for the task, as JSON.</param>
/// <param name="Response">The upstream's last whole answer about it.</param>
internal sealed record TaskRecord(
    string TaskId,
    string TenantId,
    string Model,
    TaskState Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ObservedAt,
    string RequestId,
    string? Data,
    byte[]? Response,
    string? ClientExternalId);
