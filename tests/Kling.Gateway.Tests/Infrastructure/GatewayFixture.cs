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

    internal FakeTimeProvider UpstreamClock { get; } = new(DateTimeOffset.UtcNow);

    internal RecordingUpstream Upstream => Started()._upstream!;

    internal GatewayFactory Gateway => Started()._gateway!;

    public async Task InitializeAsync()
    {
        Dictionary<string, string?> settings;
        try
        {
            settings = await TestStore.SettingsAsync(Kind);
        }
        catch (SkipException ex)
        {
            // Reported by each test that uses the fixture, as a skip with this reason.
            _skipReason = ex.Message;
            return;
        }

        _upstream = await RecordingUpstream.StartAsync(UpstreamClock);
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

/// <summary>The same, on the Redis store.</summary>
public sealed class RedisGatewayFixture : GatewayFixture
{
    public override StoreKind Kind => StoreKind.Redis;
}
