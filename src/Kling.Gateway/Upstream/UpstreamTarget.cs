using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

/// <summary>The upstream's base address and credential, as configured or as the built-in simulator provides.</summary>
internal sealed class UpstreamTarget : IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile UpstreamEndpoint _configured;
    private volatile UpstreamEndpoint? _builtIn;

    public UpstreamTarget(IOptionsMonitor<UpstreamOptions> options)
    {
        UsesBuiltInSimulator = options.CurrentValue.BaseUrl.Length == 0;
        _configured = FromOptions(options.CurrentValue);
        _subscription = options.OnChange(o => _configured = FromOptions(o));
    }

    /// <summary>Decided once at start-up: an empty <c>Upstream:BaseUrl</c> means the built-in simulator.</summary>
    public bool UsesBuiltInSimulator { get; }

    /// <summary>Null until the built-in simulator, when used, has started.</summary>
    public UpstreamEndpoint? Current => UsesBuiltInSimulator ? _builtIn : _configured;

    public void UseBuiltInSimulator(Uri address, string apiKey) =>
        _builtIn = new UpstreamEndpoint(address.GetLeftPart(UriPartial.Authority), "Bearer " + apiKey);

    public void Dispose() => _subscription?.Dispose();

    private static UpstreamEndpoint FromOptions(UpstreamOptions options) =>
        new(options.BaseUrl.TrimEnd('/'), "Bearer " + options.ApiKey);
}

/// <param name="BaseAddress">Scheme, host, port and base path, without a trailing slash.</param>
/// <param name="Authorization">The complete Authorization header value the upstream expects.</param>
internal sealed record UpstreamEndpoint(string BaseAddress, string Authorization);
