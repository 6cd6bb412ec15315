using System.Net.Sockets;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Observability;

/// <summary>The published gateway and its metrics listener, configured by environment variables as deployed.</summary>
public sealed class MetricsPortTests
{
    [Fact]
    public async Task The_published_gateway_serves_metrics_on_metrics_port_only()
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
        });
        await gateway.WaitUntilReadyAsync();
        using var api = gateway.CreateClient();
        using var scraper = new HttpClient { BaseAddress = gateway.MetricsAddress };

        using var onApiPort = await api.GetAsync("/metrics");
        var onOwnPort = await scraper.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Contains("# TYPE kling_gateway_requests_total counter", onOwnPort, StringComparison.Ordinal);
        Assert.Contains($"Metrics are served on port {gateway.MetricsAddress.Port} at /metrics", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_in_use_stops_the_process_with_a_last_line_naming_the_key()
    {
        using var occupant = new TcpListener(IPAddress.IPv6Any, 0) { Server = { DualMode = true } };
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            ["Metrics__Port"] = port,
        });

        // The host reports its failed start first; the gateway's own last word names the key.
        Assert.Equal(2, await gateway.WaitForExitAsync());
        var fatal = gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains($"Metrics:Port {port} cannot be listened on", fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_metrics_are_served_nowhere()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var port = Loopback.FreePort();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, new Dictionary<string, string?>
        {
            ["Metrics:Enabled"] = "false",
            ["Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var api = gateway.CreateClient(key: null);

        using var onApiPort = await api.GetAsync("/metrics");
        using var tcp = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, port));

        await onApiPort.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
