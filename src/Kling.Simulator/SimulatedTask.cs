namespace Kling.Simulator;

/// <summary>A task as the simulator keeps it; its status is derived from its age, so nothing needs a timer.</summary>
internal sealed record SimulatedTask(string Id, DateTimeOffset CreatedAt, string Duration, bool Fails, string? ExternalTaskId)
{
    /// <summary>Whether the submit asked for a watermarked copy (<c>watermark_info.enabled</c>).</summary>
    public bool Watermark { get; init; }

    public string StatusAt(DateTimeOffset now, SimulatorOptions options, TimeSpan finishAfter)
    {
        var age = now - CreatedAt;
        if (age >= finishAfter)
        {
            return Fails ? "failed" : "succeed";
        }

        return age < options.ProcessingAfter ? "submitted" : "processing";
    }

    public DateTimeOffset UpdatedAt(string status, SimulatorOptions options, TimeSpan finishAfter) =>
        status switch
        {
            "submitted" => CreatedAt,
            "processing" => CreatedAt + options.ProcessingAfter,
            _ => CreatedAt + finishAfter,
        };
}
