namespace Kling.Gateway.Upstream;

/// <summary>Where the gateway forwards to and with which credential; the <c>Upstream</c> section.</summary>
internal sealed class UpstreamOptions
{
    public const string Section = "Upstream";

    /// <summary><c>Aggregator</c>: the public paths and a bearer <see cref="ApiKey"/>. <c>Official</c>: Kling's own API (<c>/v1</c> paths, <c>model_name</c>, JWT from AK/SK).</summary>
    public UpstreamMode Mode { get; set; } = UpstreamMode.Aggregator;

    /// <summary>Base URL of the Kling API or aggregator; empty selects the built-in simulator on loopback.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Aggregator mode: the bearer key the upstream expects; never shown to clients.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Official mode: the account's Access Key (the JWT issuer).</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>Official mode: the account's Secret Key (signs the JWT; never leaves the gateway).</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>
    /// Whether the upstream finds a task by the <c>external_task_id</c> it was submitted with (in the query path, as Kling
    /// does). Unset: yes for <c>Official</c> and for the built-in simulator, no for an aggregator.
    /// </summary>
    public bool? ExternalTaskIdLookup { get; set; }

    /// <summary>How long the upstream may stay silent before the client gets 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);
}

internal enum UpstreamMode
{
    Aggregator,
    Official,
}
