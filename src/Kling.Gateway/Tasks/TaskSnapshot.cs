using System.Text.Json;

namespace Kling.Gateway.Tasks;

/// <summary>A task as one upstream answer describes it: id, status, the <c>data</c> object and the whole answer.</summary>
/// <param name="Response">The upstream's answer as it came (served again for later polls).</param>
/// <param name="FinalDeduction">The units the upstream says it charged (<c>final_unit_deduction</c>), in thousandths.</param>
internal sealed record TaskSnapshot(string TaskId, TaskState Status, string Data, byte[] Response, long? FinalDeduction = null)
{
    /// <summary>
    /// What a finished task costs, in thousandths: nothing when it failed (Kling does not charge those), the upstream's
    /// final deduction when it reports one; null while running, or when the reserved estimate must stand.
    /// </summary>
    public long? Charge => Status.Name switch
    {
        "failed" => 0,
        "succeed" => FinalDeduction,
        _ => null,
    };

    /// <summary>Reads <c>data.task_id</c>, <c>data.task_status</c> and <c>data</c> from an upstream answer, or null.</summary>
    public static TaskSnapshot? Read(byte[] upstreamBody)
    {
        try
        {
            using var document = JsonDocument.Parse(upstreamBody);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                   && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                   && data.TryGetProperty("task_id", out var id) && id.ValueKind == JsonValueKind.String
                   && data.TryGetProperty("task_status", out var status) && status.ValueKind == JsonValueKind.String
                ? new TaskSnapshot(id.GetString()!, new TaskState(status.GetString()!), data.GetRawText(), upstreamBody, Units.FinalDeduction(data))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
