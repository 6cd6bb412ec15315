using System.Net.Sockets;
using System.Text;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Serilog.Events;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Observability;

/// <summary>
/// Faults the gateway expects (a client's broken or abandoned upload, an upstream or store that is down) are told by
/// one event at Warning or lower that gives the reason, with no exception (no stack trace) and nothing at Error.
/// Clients speak raw HTTP over real sockets, so the request can be broken in ways HttpClient would not send.
/// </summary>
public sealed class ExpectedFaultTests
{
    [Fact]
    public async Task A_malformed_chunked_body_gets_400_and_one_quiet_event_with_the_reason()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var tcp = await ConnectAsync(gateway);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Head("Transfer-Encoding: chunked").Concat(Encoding.ASCII.GetBytes("5\r\n{\"mod\r\nzz\r\nel\":1}\r\n0\r\n\r\n")).ToArray());
        var statusLine = await ReadStatusLineAsync(stream);

        Assert.StartsWith("HTTP/1.1 400 ", statusLine, StringComparison.Ordinal);
        var completion = await OneCompletionAsync(gateway);
        Assert.Equal("400", completion.Properties["StatusCode"].ToString());
        Assert.Equal("1200", completion.Properties["KlingCode"].ToString());
        Assert.Contains("could not be read", completion.Properties["Reason"].ToString(), StringComparison.Ordinal);
        AssertQuiet(gateway);
        Assert.Equal(0, upstream.Count);
    }

    // Kestrel reports either as the connection's end (the request aborted) or as the body's unexpected end, whichever
    // it sees first; either way the event is one quiet line that names it, and nothing is forwarded.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_goes_away_mid_upload_leaves_one_quiet_event_with_the_reason(bool reset)
    {
        const string reason = "the client closed the connection|could not be read: Unexpected end of request content";
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using (var tcp = await ConnectAsync(gateway))
        {
            var stream = tcp.GetStream();
            await stream.WriteAsync(Head("Content-Length: 1000000"));
            await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"model\":\"kling-v1\",\"prompt\":\"" + new string('a', 64 * 1024)));
            await stream.FlushAsync();
            if (reset)
            {
                // RST: the connection is torn down, as by a client killed mid-upload.
                tcp.Client.LingerState = new LingerOption(true, 0);
            }
            else
            {
                // FIN: the client ends its side 936 KB short of its Content-Length.
                tcp.Client.Shutdown(SocketShutdown.Send);
            }
        }

        var completion = await OneCompletionAsync(gateway);
        Assert.Matches(reason, completion.Properties["Reason"].ToString());
        AssertQuiet(gateway);
        Assert.Equal(0, upstream.Count);
    }

    [Theory]
    [InlineData(false, 503, 5001)]
    [InlineData(true, 504, 5002)]
    public async Task An_upstream_that_is_down_or_silent_leaves_one_warning_with_the_reason_and_no_stack_trace(bool silent, int status, int code)
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, new Dictionary<string, string?> { ["Upstream:Timeout"] = "00:00:00.500" });
        using var client = gateway.CreateClient(TestKeys.TenantA);
        upstream.Faults.Current = silent ? new FaultSettings(FaultMode.None, TimeSpan.FromSeconds(5)) : new FaultSettings(FaultMode.Reset, TimeSpan.Zero);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        await response.AssertKlingErrorAsync((HttpStatusCode)status, code);
        var completion = await OneCompletionAsync(gateway);
        Assert.Equal(LogEventLevel.Warning, completion.Level);
        Assert.Contains("upstream", completion.Properties["Reason"].ToString(), StringComparison.Ordinal);
        AssertQuiet(gateway);
    }

    [SkippableFact]
    public async Task A_store_outage_is_told_by_warnings_with_the_reason_from_requests_the_refresher_and_scrapes_never_an_error()
    {
        Skip.If(RedisServer.Executable is null, RedisServer.NotInstalledReason);
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Redis, new Dictionary<string, string?>
        {
            ["Store:Redis:Configuration"] = redis.Configuration,
            ["Store:Redis:Timeout"] = "00:00:00.500",
            ["Tasks:RefreshInterval"] = "00:00:01",
        });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateMetricsClient();
        // A cold gateway's first store calls (connecting, loading scripts) may outlast this test's short Redis timeout:
        // submit until one succeeds, then watch only what the outage brings.
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var warmUp = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
            return warmUp.IsSuccessStatusCode;
        }));
        var (forwarded, warmUpCompletions) = (upstream.Count, Completions(gateway).Count);

        await redis.StopAsync();
        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var probe = await client.GetAsync("/health/ready");
        using var scrape = await scraper.GetAsync("/metrics");

        await submit.AssertKlingErrorAsync(HttpStatusCode.ServiceUnavailable, 5001);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var refused = Assert.Single(Completions(gateway).Skip(warmUpCompletions), e => e.Properties["StatusCode"].ToString() == "503");
        Assert.Equal(LogEventLevel.Warning, refused.Level);
        Assert.Contains("Redis", refused.Properties["Reason"].ToString(), StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => Warnings(gateway, "Refreshing running tasks").Count > 0), gateway.Logs.AllText);
        Assert.Contains("Redis", Warnings(gateway, "Refreshing running tasks")[0].RenderMessage(), StringComparison.Ordinal);
        Assert.Contains("Redis", Assert.Single(Warnings(gateway, "Reading the store for the metrics")).RenderMessage(), StringComparison.Ordinal);
        AssertQuiet(gateway);
        Assert.Equal(forwarded, upstream.Count);
    }

    private static async Task<TcpClient> ConnectAsync(GatewayFactory gateway)
    {
        using var api = gateway.CreateClient(key: null);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, api.BaseAddress!.Port);
        return tcp;
    }

    private static byte[] Head(string framing) => Encoding.ASCII.GetBytes(
        $"POST {Text2VideoPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TestKeys.TenantA}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");

    private static async Task<string> ReadStatusLineAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, timeout.Token) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString().TrimEnd('\r');
    }

    private static List<LogEvent> Completions(GatewayFactory gateway) =>
        [.. gateway.Logs.Events.Where(e => e.Properties.ContainsKey("StatusCode"))];

    private static List<LogEvent> Warnings(GatewayFactory gateway, string start) =>
        [.. gateway.Logs.Events.Where(e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith(start, StringComparison.Ordinal))];

    /// <summary>The request's one completion event (the completion follows the answer: waits for it).</summary>
    private static async Task<LogEvent> OneCompletionAsync(GatewayFactory gateway)
    {
        Assert.True(await Eventually.TrueAsync(() => Completions(gateway).Count > 0), "no completion event:\n" + gateway.Logs.AllText);
        var completion = Assert.Single(Completions(gateway));
        Assert.True(completion.Level <= LogEventLevel.Warning, completion.Level + ": " + completion.RenderMessage());
        return completion;
    }

    /// <summary>Nothing at Error or above, and no event carrying an exception (a stack trace).</summary>
    private static void AssertQuiet(GatewayFactory gateway)
    {
        Assert.DoesNotContain(gateway.Logs.Events, e => e.Level >= LogEventLevel.Error);
        Assert.DoesNotContain(gateway.Logs.Events, e => e.Exception is not null);
    }
}
