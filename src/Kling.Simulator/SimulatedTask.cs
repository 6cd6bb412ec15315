namespace Kling.Simulator;

/// <summary>A task as the simulator keeps it; its status is derived from its age, so nothing needs a timer.</summary>
internal sealed record SimulatedTask(string Id, DateTimeOffset CreatedAt, string Duration, bool Fails, string? ExternalTaskId)
{
    public string StatusAt(DateTimeOffset now, SimulatorOptions options)
    {
        var age = now - CreatedAt;
        if (age < options.ProcessingAfter)
        {
            return "submitted";
        }

        if (age < options.FinishAfter)
        {
            return "processing";
        }

        return Fails ? "failed" : "succeed";
    }

    public DateTimeOffset UpdatedAt(DateTimeOffset now, SimulatorOptions options) =>
        StatusAt(now, options) switch
        {
            "submitted" => CreatedAt,
            "processing" => CreatedAt + options.ProcessingAfter,
            _ => CreatedAt + options.FinishAfter,
        };
}
