using Kling.Gateway.Observability;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

/// <summary>Where and how to reach the upstream: as configured, or as the built-in simulator provides.</summary>
internal sealed class UpstreamTarget : IDisposable
{
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly IDisposable? _subscription;
    private volatile UpstreamEndpoint? _configured;
    private volatile UpstreamEndpoint? _builtIn;

    public UpstreamTarget(IOptionsMonitor<UpstreamOptions> options, TimeProvider time, GatewayMetrics metrics)
    {
        _time = time;
        _metrics = metrics;
        UsesBuiltInSimulator = options.CurrentValue.BaseUrl.Length == 0;
        Mode = options.CurrentValue.Mode;
        CanLookUpByExternalTaskId = options.CurrentValue.ExternalTaskIdLookup ?? (Mode == UpstreamMode.Official || UsesBuiltInSimulator);
        // The built-in simulator brings its own credentials: configured ones (empty, then) are never built.
        if (!UsesBuiltInSimulator)
        {
            _configured = FromOptions(options.CurrentValue);
            _subscription = options.OnChange(o => _configured = FromOptions(o));
        }
    }

    /// <summary>Decided once at start-up: an empty <c>Upstream:BaseUrl</c> means the built-in simulator.</summary>
    public bool UsesBuiltInSimulator { get; }

    /// <summary>Decided once at start-up, like the paths and fields that go with it.</summary>
    public UpstreamMode Mode { get; }

    /// <summary>Whether tasks can be found upstream by their <c>external_task_id</c> (<c>Upstream:ExternalTaskIdLookup</c>).</summary>
    public bool CanLookUpByExternalTaskId { get; }

    /// <summary>Null until the built-in simulator, when used, has started.</summary>
    public UpstreamEndpoint? Current => UsesBuiltInSimulator ? _builtIn : _configured;

    /// <summary>Points at the built-in simulator, with its aggregator key or its official AK/SK.</summary>
    public void UseBuiltInSimulator(Uri address, string apiKey, string accessKey, string secretKey) =>
        _builtIn = new UpstreamEndpoint(address.GetLeftPart(UriPartial.Authority), Mode, Credential(Mode, apiKey, accessKey, secretKey));

    public void Dispose() => _subscription?.Dispose();

    private UpstreamEndpoint FromOptions(UpstreamOptions options) =>
        new(options.BaseUrl.TrimEnd('/'), Mode, Credential(Mode, options.ApiKey, options.AccessKey, options.SecretKey));

    private IUpstreamCredential Credential(UpstreamMode mode, string apiKey, string accessKey, string secretKey) =>
        mode == UpstreamMode.Official ? new KlingJwtCredential(accessKey, secretKey, _time, _metrics) : new StaticKeyCredential(apiKey);
}

/// <param name="BaseAddress">Scheme, host, port and base path, without a trailing slash.</param>
internal sealed record UpstreamEndpoint(string BaseAddress, UpstreamMode Mode, IUpstreamCredential Credential)
{
    private const string AggregatorPrefix = "/kling";

    /// <summary>The upstream's path for a public one: the same for an aggregator, without <c>/kling</c> for the official API.</summary>
    public string PathFor(string publicPath) =>
        Mode == UpstreamMode.Official && publicPath.StartsWith(AggregatorPrefix, StringComparison.Ordinal) ? publicPath[AggregatorPrefix.Length..] : publicPath;
}
