namespace Kling.Gateway.Observability;

/// <summary>The <c>Metrics</c> section: where Prometheus scrapes.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve <c>/metrics</c> at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Serve <c>/metrics</c> on this port only (its own listener, not the API's); unset = on the API's port.</summary>
    public int? Port { get; set; }
}
