using System.Net.Sockets;
using Kling.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.BodyLimits;

/// <summary>Idle connections beyond <c>Limits:MaxConcurrentConnections</c> are refused; the process lives on and serves once they go.</summary>
[Collection(ProcessLimitsCollection.Name)]
public sealed class ConnectionLimitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Idle_connections_beyond_the_limit_are_refused_and_the_gateway_serves_once_they_go()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartReadyAsync(
            upstream.BaseAddress, new Dictionary<string, string> { ["Limits__MaxConcurrentConnections"] = "8" });
        // The readiness probe's connection has gone once a ninth is refused no more.
        Assert.True(await Eventually.TrueAsync(async () => await IsServedAsync(gateway)));

        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                idle.Add(await HeldConnectionAsync(gateway));
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

    [SkippableFact]
    public async Task At_the_default_limit_20_000_idle_connections_inside_256_MiB_leave_the_gateway_alive_and_serving_once_they_go()
    {
        using var group = MemoryGroup.Create(256L * 1024 * 1024);
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartReadyAsync(upstream.BaseAddress, memoryGroup: group.Path);
        var before = gateway.OpenFiles;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // A process may hold at most 20 000 open files here, so two holders open 10 000 idle connections each.
        var holders = new[] { IdleConnections.Open(gateway.Address, 10_000), IdleConnections.Open(gateway.Address, 10_000) };
        int held;
        try
        {
            foreach (var holder in holders)
            {
                Assert.Equal("open", await holder.OpenedAsync());
            }

            var opened = clock.Elapsed;
            held = gateway.OpenFiles;
            output.WriteLine($"opened in {opened.TotalSeconds:N1} s, {gateway.Output.Length} chars of log");
            Assert.False(gateway.HasExited, gateway.Output);
            // The limit's connections and a few being refused, never the 20 000.
            Assert.True(held >= 4096 && held - before <= 4096 + 512, $"the gateway holds {held} open files ({before} before)");
            Assert.False(await IsServedAsync(gateway));
        }
        finally
        {
            foreach (var holder in holders)
            {
                holder.Dispose();
            }
        }

        Assert.True(await Eventually.TrueAsync(async () => await IsServedAsync(gateway)), gateway.Output);
        output.WriteLine($"served again at {clock.Elapsed.TotalSeconds:N1} s");
        using var client = new HttpClient { BaseAddress = gateway.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.TenantA);
        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Out of memory", gateway.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("OutOfMemory", gateway.Output, StringComparison.Ordinal);
        var (maxUsage, failures) = group.Usage;
        output.WriteLine($"20 000 idle connections: the gateway held {held} open files ({before} before); cgroup peak {maxUsage / 1048576.0:N1} MiB of 256 MiB, limit hit {failures} times");
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

    /// <summary>
    /// An idle connection the gateway holds. One it closes at once was refused while an earlier connection (a probe's,
    /// closed by this side) was still being released on the gateway's: it is replaced, so that exactly the limit is held.
    /// </summary>
    private static async Task<TcpClient> HeldConnectionAsync(GatewayProcess gateway)
    {
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            var socket = new TcpClient();
            await socket.ConnectAsync(gateway.Address.Host, gateway.Address.Port);
            // Readable before any request: closed by the gateway.
            if (!socket.Client.Poll(TimeSpan.FromMilliseconds(500), SelectMode.SelectRead))
            {
                return socket;
            }

            socket.Dispose();
        }

        throw new Xunit.Sdk.XunitException("the gateway kept refusing connections below its limit");
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
