using System.Text.Json.Serialization;

namespace Kling.Gateway.Usage;

/// <summary>The calling tenant's units today and this month, in the Kling envelope.</summary>
internal sealed record UsageResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("data")] UsageData Data);

/// <param name="Day">The current UTC day.</param>
/// <param name="Month">The current UTC calendar month.</param>
internal sealed record UsageData(
    [property: JsonPropertyName("day")] UsagePeriod Day,
    [property: JsonPropertyName("month")] UsagePeriod Month);

/// <summary>Units counted in one budget period: a task counts in the day and month it was submitted.</summary>
/// <param name="Period">The UTC day (<c>2026-11-27</c>) or month (<c>2026-11</c>).</param>
/// <param name="Used">Units of finished tasks: the upstream's final deduction, else the estimate; failed tasks cost nothing.</param>
/// <param name="Reserved">Estimated units of tasks not finished yet.</param>
/// <param name="Budget">The tenant's budget for the period; null when unlimited.</param>
/// <param name="Remaining">Budget minus used and reserved (never below 0); null when unlimited.</param>
/// <param name="ResetsAt">When the next period begins (UTC midnight, or the first of the next month).</param>
/// <param name="ByModel">Used and reserved units per model and mode.</param>
internal sealed record UsagePeriod(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("used")] decimal Used,
    [property: JsonPropertyName("reserved")] decimal Reserved,
    [property: JsonPropertyName("budget")] decimal? Budget,
    [property: JsonPropertyName("remaining")] decimal? Remaining,
    [property: JsonPropertyName("resets_at")] DateTimeOffset ResetsAt,
    [property: JsonPropertyName("by_model")] IReadOnlyList<ModelUsage> ByModel);

internal sealed record ModelUsage(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("used")] decimal Used,
    [property: JsonPropertyName("reserved")] decimal Reserved);
