using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Xunit.Abstractions;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.BodyLimits;

/// <summary>
/// The gateway as its own process inside a 256 MiB memory cgroup (the limit the Kubernetes manifest ships): buffered
/// bodies are budgeted, so load is shed with 503 instead of the process running out of memory, and stalled uploads
/// are cut off while other tenants are served.
/// </summary>
[Collection(ProcessLimitsCollection.Name)]
public sealed class MemoryLimitTests(ITestOutputHelper output)
{
    private const long ContainerLimit = 256L * 1024 * 1024;

    /// <summary>Seconds of load in <see cref="Concurrent_image_submits_under_a_256_MiB_limit_are_answered_200_503_or_429_never_500"/> (20 in the measured run).</summary>
    private static readonly int LoadSeconds =
        int.TryParse(Environment.GetEnvironmentVariable("KLING_MEMORY_LOAD_SECONDS"), out var seconds) ? seconds : 6;

    [SkippableFact]
    public async Task Concurrent_image_submits_under_a_256_MiB_limit_are_answered_200_503_or_429_never_500()
    {
        using var group = MemoryGroup.Create(ContainerLimit);
        await using var upstream = await StartUpstreamAsync();
        await using var gateway = await StartGatewayAsync(upstream, group);
        using var client = Client(gateway, TestKeys.TenantA);
        var body = SubmitWithPng(1_050_000);
        Assert.InRange(body.Length, 1_400_000, 1_450_000);
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(LoadSeconds))
            {
                using var response = await client.PostAsync(Text2VideoPath, Json(body));
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
        }));

        var (maxUsage, failures) = group.Usage;
        output.WriteLine($"{LoadSeconds} s x 64 clients: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; "
            + $"cgroup peak {maxUsage / 1048576.0:N1} MiB of {ContainerLimit / 1048576} MiB, limit hit {failures} times");
        Assert.False(gateway.HasExited, gateway.Output);
        Assert.Empty(statuses.Keys.Except([200, 503, 429]));
        Assert.True(statuses.GetValueOrDefault(200) > 0, "no submit succeeded");
        Assert.DoesNotContain("OutOfMemory", gateway.Output, StringComparison.Ordinal);
        // Still serving normally afterwards.
        using var after = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [SkippableFact]
    public async Task Stalled_uploads_are_cut_off_while_another_tenant_is_served()
    {
        using var group = MemoryGroup.Create(ContainerLimit);
        await using var upstream = await StartUpstreamAsync();
        await using var gateway = await StartGatewayAsync(upstream, group);
        using var other = Client(gateway, TestKeys.TenantB);
        // Warm: the submit path has run once, so what is measured below is the wait the stalled uploads cause.
        using (var warm = await other.PostAsync(Text2VideoPath, Json(ValidSubmit)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var clock = Stopwatch.StartNew();

        // 24 uploads announce 5 MiB, send 4 MiB of it and stall: the budget admits two (each reserves what it would
        // cost whole), which the deadline cuts off; the others are shed at once.
        var stalled = Enumerable.Range(0, 24).Select(_ => StallAsync(gateway.Address)).ToArray();
        await Task.WhenAll(stalled.Select(s => s.Sent));
        var sent = clock.Elapsed;

        var otherClock = Stopwatch.StartNew();
        using var response = await other.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var otherElapsed = otherClock.Elapsed;
        var endings = await Task.WhenAll(stalled.Select(s => s.Ended));
        var cutOff = clock.Elapsed;

        output.WriteLine($"24 stalled uploads sent 4 MiB each by {sent.TotalSeconds:N1} s; the other tenant answered {(int)response.StatusCode} in "
            + $"{otherElapsed.TotalMilliseconds:N0} ms; all cut off by {cutOff.TotalSeconds:N1} s: "
            + string.Join(", ", endings.GroupBy(e => e).Select(g => $"{g.Key} x{g.Count()}")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(otherElapsed < TimeSpan.FromSeconds(2), $"the other tenant waited {otherElapsed}");
        Assert.All(endings, e => Assert.True(e is "408" or "503" or "closed", e));
        Assert.Contains("408", endings);
        Assert.True(cutOff < TimeSpan.FromSeconds(60), $"the stalled uploads were cut off after {cutOff}");
        Assert.False(gateway.HasExited, gateway.Output);
        Assert.DoesNotContain("OutOfMemory", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>An upload that sends the first 4 MiB of a 5 MiB body and then waits for the gateway's answer (or its close).</summary>
    private static (Task Sent, Task<string> Ended) StallAsync(Uri gateway)
    {
        var sent = new TaskCompletionSource();
        return (sent.Task, RunAsync());

        async Task<string> RunAsync()
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(gateway.Host, gateway.Port);
            var stream = socket.GetStream();
            var head = $"POST {Text2VideoPath} HTTP/1.1\r\nHost: {gateway.Authority}\r\nAuthorization: Bearer {TestKeys.TenantA}\r\n"
                + $"Content-Type: application/json\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n"
                + """{"model":"kling-v1","prompt":"p","image_tail":"iVBORw0KGgo""";
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), bounded.Token);
                var chunk = Encoding.ASCII.GetBytes(new string('A', 64 * 1024));
                for (var written = head.Length; written < 4 * 1024 * 1024; written += chunk.Length)
                {
                    await stream.WriteAsync(chunk, bounded.Token);
                }
            }
            catch (IOException)
            {
                // Refused and closed while sending.
            }
            finally
            {
                sent.TrySetResult();
            }

            var answer = new byte[64];
            try
            {
                var read = await stream.ReadAsync(answer, bounded.Token);
                return read == 0 ? "closed" : Encoding.ASCII.GetString(answer, 0, read).Split(' ')[1];
            }
            catch (IOException)
            {
                return "closed";
            }
        }
    }

    private static async Task<SimulatorServer> StartUpstreamAsync() =>
        await SimulatorServer.StartAsync(new SimulatorOptions { ApiKey = RecordingUpstream.ApiKey }, TimeProvider.System);

    private static Task<GatewayProcess> StartGatewayAsync(SimulatorServer upstream, MemoryGroup group) =>
        GatewayProcess.StartReadyAsync(
            upstream.BaseAddress,
            new Dictionary<string, string>
            {
                // Memory is the bound under test, not the per-tenant limits.
                ["Limits__SubmitsPerMinute"] = "1000000",
                ["Limits__MaxActiveTasks"] = "1000000",
                ["Limits__BodyReadTimeout"] = "00:00:05",
            },
            group.Path);

    private static HttpClient Client(GatewayProcess gateway, string key)
    {
        var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }
}
