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
    string RequestId,
    string? Data)
{
    public static bool IsFinished(string status) => status is "succeed" or "failed";
}
