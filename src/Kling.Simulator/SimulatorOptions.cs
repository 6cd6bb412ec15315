namespace Kling.Simulator;

/// <summary>How the simulated Kling account behaves; bound from the <c>Simulator</c> section.</summary>
internal sealed class SimulatorOptions
{
    /// <summary>The bearer key the simulator accepts (a development value, not a real Kling key).</summary>
    public string ApiKey { get; set; } = "simulator-dev-key";

    /// <summary>A task is <c>submitted</c> until this much time has passed, then <c>processing</c>.</summary>
    public TimeSpan ProcessingAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A task ends (<c>succeed</c>, or <c>failed</c> when told to fail) once this much time has passed.</summary>
    public TimeSpan FinishAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the fake video URLs point.</summary>
    public string VideoBaseUrl { get; set; } = "https://videos.simulator.invalid";
}
