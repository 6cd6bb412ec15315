using System.Net.Sockets;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.BodyLimits;

/// <summary>Idle connections beyond <c>Limits:MaxConcurrentConnections</c> are refused; the process lives on and serves once they go.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Idle_connections_beyond_the_limit_are_refused_and_the_gateway_serves_once_they_go()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Upstream__BaseUrl"] = upstream.BaseAddress.ToString(),
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            ["Limits__MaxConcurrentConnections"] = "8",
        });
        await gateway.WaitUntilReadyAsync();
        // The readiness probe's connection has gone once a ninth is refused no more.
        Assert.True(await Eventually.TrueAsync(async () => await IsServedAsync(gateway)));

        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(gateway.Address.Host, gateway.Address.Port);
                idle.Add(socket);
            }

            // A ninth connection is accepted by the kernel and closed by Kestrel at once.
            using (var ninth = new TcpClient())
            {
                await ninth.ConnectAsync(gateway.Address.Host, gateway.Address.Port);
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                Assert.Equal(0, await ReadOrClosedAsync(ninth, bounded.Token));
            }

            Assert.False(await IsServedAsync(gateway));
            Assert.False(gateway.HasExited);
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
        }

        Assert.True(await Eventually.TrueAsync(async () => await IsServedAsync(gateway)), gateway.Output);
        using var client = new HttpClient { BaseAddress = gateway.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.TenantA);
        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(upstream.Received);
    }

    private static async Task<bool> IsServedAsync(GatewayProcess gateway)
    {
        // A connection of its own each time, so no pooled connection hides the limit.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            BaseAddress = gateway.Address,
            Timeout = TimeSpan.FromSeconds(5),
        };
        try
        {
            using var response = await client.GetAsync("/health/live");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<int> ReadOrClosedAsync(TcpClient socket, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.GetStream().ReadAsync(new byte[1], cancellationToken);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
