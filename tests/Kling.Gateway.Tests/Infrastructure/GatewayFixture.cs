using Kling.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A recording upstream whose tasks advance only on <see cref="UpstreamClock"/>, and a gateway forwarding to it on
/// the SQLite store; shared by the tests of one class (which run one at a time).
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    private RecordingUpstream? _upstream;
    private GatewayFactory? _gateway;
    private string? _skipReason;

    public virtual StoreKind Kind => StoreKind.Sqlite;

    /// <summary>The upstream the gateway fronts: an aggregator, or the official Kling API.</summary>
    public virtual string UpstreamMode => "Aggregator";

    internal bool IsOfficial => UpstreamMode == "Official";

    /// <summary>What the upstream names the model field.</summary>
    internal string ModelField => IsOfficial ? "model_name" : "model";

    /// <summary>The upstream's path for a public path.</summary>
    internal string UpstreamPath(string publicPath) => IsOfficial ? publicPath["/kling".Length..] : publicPath;

    /// <summary>A public cfg_scale as the upstream receives it.</summary>
    internal double UpstreamCfgScale(double publicValue) => IsOfficial ? Math.Min(publicValue / 10, 1) : publicValue;

    /// <remarks>
    /// Ten minutes ahead of the gateway's real clock: the official upstream checks the gateway's JWT (nbf = now − 5 s)
    /// on this clock, which otherwise falls behind real time while a class's tests run and refuses the token as not yet valid.
    /// </remarks>
    internal FakeTimeProvider UpstreamClock { get; } = new(DateTimeOffset.UtcNow.AddMinutes(10));

    internal RecordingUpstream Upstream => Started()._upstream!;

    internal GatewayFactory Gateway => Started()._gateway!;

    public async Task InitializeAsync()
    {
        Dictionary<string, string?> settings;
        try
        {
            settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Upstream:Mode"] = UpstreamMode });
        }
        catch (SkipException ex)
        {
            // Reported by each test that uses the fixture, as a skip with this reason.
            _skipReason = ex.Message;
            return;
        }

        _upstream = await RecordingUpstream.StartAsync(
            UpstreamClock, new SimulatorOptions { Mode = IsOfficial ? SimulatorMode.Official : SimulatorMode.Aggregator });
        _gateway = new GatewayFactory(_upstream.BaseAddress, settings);
        _gateway.StartServer();
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    private GatewayFixture Started()
    {
        Skip.If(_skipReason is not null, _skipReason);
        return this;
    }
}

/// <summary>The same, in front of the official Kling API (JWT credentials, <c>/v1</c> paths, <c>model_name</c>).</summary>
public sealed class OfficialGatewayFixture : GatewayFixture
{
    public override string UpstreamMode => "Official";
}

/// <summary>The same, on the Redis store.</summary>
public sealed class RedisGatewayFixture : GatewayFixture
{
    public override StoreKind Kind => StoreKind.Redis;
}
