namespace Kling.Gateway.Observability;

/// <summary>The <c>Metrics</c> section: where Prometheus scrapes.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve <c>/metrics</c> at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The port of <c>/metrics</c>, on a listener of its own (all interfaces), never the API's port: the series name
    /// tenants and their traffic. 0 lets the system choose a free port (logged at start).
    /// </summary>
    public int Port { get; set; } = 9090;
}
