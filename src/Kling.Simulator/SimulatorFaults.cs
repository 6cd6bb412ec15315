using System.Text.Json.Serialization;

namespace Kling.Simulator;

/// <summary>What the simulator should get wrong, set by tests directly or over <c>PUT /simulator/faults</c>.</summary>
internal sealed class SimulatorFaults
{
    private volatile FaultSettings _current = FaultSettings.None;

    public FaultSettings Current
    {
        get => _current;
        set => _current = value;
    }
}

/// <param name="Mode">What every API call answers until changed.</param>
/// <param name="Latency">Delay before each API call answers.</param>
/// <param name="FinishAfter">When set, replaces <c>Simulator:FinishAfter</c> for every task (zero: all tasks have finished).</param>
internal sealed record FaultSettings(
    [property: JsonPropertyName("mode")] FaultMode Mode,
    [property: JsonPropertyName("latency")] TimeSpan Latency,
    [property: JsonPropertyName("finish_after")] TimeSpan? FinishAfter = null)
{
    public static readonly FaultSettings None = new(FaultMode.None, TimeSpan.Zero);
}

[JsonConverter(typeof(JsonStringEnumConverter<FaultMode>))]
internal enum FaultMode
{
    /// <summary>Behave.</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>Accept tasks, then let them end <c>failed</c>.</summary>
    [JsonStringEnumMemberName("fail_tasks")] FailTasks,

    /// <summary>429 code 1302 with Retry-After.</summary>
    [JsonStringEnumMemberName("rate_limit")] RateLimit,

    /// <summary>429 code 1303: the account's concurrency is used up.</summary>
    [JsonStringEnumMemberName("concurrency_limit")] ConcurrencyLimit,

    /// <summary>500 code 5000.</summary>
    [JsonStringEnumMemberName("server_error")] ServerError,

    /// <summary>Drop the connection without an answer.</summary>
    [JsonStringEnumMemberName("reset")] Reset,
}
