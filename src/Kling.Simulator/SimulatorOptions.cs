namespace Kling.Simulator;

/// <summary>How the simulated Kling account behaves; bound from the <c>Simulator</c> section.</summary>
internal sealed class SimulatorOptions
{
    /// <summary><c>Aggregator</c>: <c>/kling/v1/...</c> paths and a bearer key. <c>Official</c>: <c>/v1/...</c> paths, <c>model_name</c>, JWT.</summary>
    public SimulatorMode Mode { get; set; } = SimulatorMode.Aggregator;

    /// <summary>The bearer key the simulator accepts in aggregator mode (a development value, not a real Kling key).</summary>
    public string ApiKey { get; set; } = "simulator-dev-key";

    /// <summary>Official mode: the issuer its JWTs must name (development value).</summary>
    public string AccessKey { get; set; } = "simulator-dev-access-key";

    /// <summary>Official mode: the HS256 key its JWTs must be signed with (development value, at least 32 bytes).</summary>
    public string SecretKey { get; set; } = "simulator-dev-secret-key-0123456789";

    /// <summary>A task is <c>submitted</c> until this much time has passed, then <c>processing</c>.</summary>
    public TimeSpan ProcessingAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A task ends (<c>succeed</c>, or <c>failed</c> when told to fail) once this much time has passed.</summary>
    public TimeSpan FinishAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Official mode: the units a succeeded task reports as charged (<c>final_unit_deduction</c>; failed tasks report "0").</summary>
    public string FinalUnitDeduction { get; set; } = "1";

    /// <summary>The model names a submit may use (Kling's text-to-video models, old and new).</summary>
    public List<string> Models { get; set; } =
        ["kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master", "kling-v2-1", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6", "kling-v3"];

    /// <summary>Where the fake video URLs point.</summary>
    public string VideoBaseUrl { get; set; } = "https://videos.simulator.invalid";
}

internal enum SimulatorMode
{
    Aggregator,
    Official,
}
