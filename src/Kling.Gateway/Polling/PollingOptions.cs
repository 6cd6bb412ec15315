namespace Kling.Gateway.Polling;

/// <summary>How often the gateway itself asks the upstream about a task; the <c>Polling</c> section.</summary>
internal sealed class PollingOptions
{
    public const string Section = "Polling";
    public const int MaxWaitSeconds = 60;

    /// <summary>
    /// A query arriving sooner than this after the last upstream answer about the task is answered from that answer
    /// (with an <c>Age</c> header) instead of asking again. Zero asks every time.
    /// </summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(2);
}
