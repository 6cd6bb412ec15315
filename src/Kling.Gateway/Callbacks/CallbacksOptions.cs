namespace Kling.Gateway.Callbacks;

/// <summary>Where the gateway may deliver tenants' callbacks, and the address the upstream may call back.</summary>
internal sealed class CallbacksOptions
{
    public const string Section = "Callbacks";

    /// <summary>
    /// The gateway's own public base URL (e.g. <c>https://kling-gateway.example.com</c>). When set, a submit with a
    /// <c>callback_url</c> sends the upstream <c>{PublicBaseUrl}/kling/callbacks/{opaque token}</c> instead, a hint to re-query.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Host names (<c>hooks.internal.example</c>) or suffixes (<c>*.internal.example</c>) allowed whatever they resolve to.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Networks in CIDR form (<c>10.20.0.0/16</c>) allowed although private, loopback or link-local.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
