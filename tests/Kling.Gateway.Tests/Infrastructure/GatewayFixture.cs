using Microsoft.Extensions.Time.Testing;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A recording upstream whose tasks advance only on <see cref="UpstreamClock"/>, and a gateway forwarding to it;
/// shared by the tests of one class (which run one at a time).
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    internal FakeTimeProvider UpstreamClock { get; } = new(DateTimeOffset.UtcNow);

    private RecordingUpstream? _upstream;
    private GatewayFactory? _gateway;

    internal RecordingUpstream Upstream => _upstream!;

    internal GatewayFactory Gateway => _gateway!;

    public async Task InitializeAsync()
    {
        _upstream = await RecordingUpstream.StartAsync(UpstreamClock);
        _gateway = new GatewayFactory(_upstream.BaseAddress);
        _gateway.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _gateway!.DisposeAsync();
        await _upstream!.DisposeAsync();
    }
}
