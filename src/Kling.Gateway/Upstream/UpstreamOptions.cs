namespace Kling.Gateway.Upstream;

/// <summary>Where the gateway forwards to and with which credential; the <c>Upstream</c> section.</summary>
internal sealed class UpstreamOptions
{
    public const string Section = "Upstream";

    /// <summary>Base URL of the Kling API or aggregator; empty selects the built-in simulator on loopback.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Bearer key the upstream expects; never shown to clients.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>How long the upstream may stay silent before the client gets 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);
}
