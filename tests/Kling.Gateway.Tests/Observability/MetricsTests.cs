using System.Globalization;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;
using static Kling.Gateway.Tests.Infrastructure.PrometheusText;

namespace Kling.Gateway.Tests.Observability;

public abstract class MetricsTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task Metrics_count_requests_rejections_active_tasks_and_upstream_latency_and_read_the_store_at_most_every_5_s()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Tenants:0:Limits:MaxActiveTasks"] = "2",
            ["Tenants:0:Limits:SubmitsPerMinute"] = "3",
        }), services => services.AddSingleton<TimeProvider>(clock));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateMetricsClient();
        var before = await scraper.GetStringAsync("/metrics");

        for (var i = 0; i < 4; i++)
        {
            (await a.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        }

        var after = await scraper.GetStringAsync("/metrics");
        clock.Advance(TimeSpan.FromSeconds(4.9));
        var stillCached = await scraper.GetStringAsync("/metrics");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var reread = await scraper.GetStringAsync("/metrics");

        const string submits = """kling_gateway_requests_total{route="/kling/v1/videos/text2video",status="200",tenant="tenant-a"}""";
        const string active = """kling_gateway_active_tasks{tenant="tenant-a"}""";
        Assert.Equal(0, Value(before, submits));
        Assert.Equal(2, Value(after, submits));
        Assert.Equal(1, Value(after, """kling_gateway_rejections_total{tenant="tenant-a",reason="concurrency"}"""));
        Assert.Equal(1, Value(after, """kling_gateway_rejections_total{tenant="tenant-a",reason="rate_limit"}"""));
        Assert.Equal(2, Value(after, """kling_gateway_upstream_duration_seconds_count{operation="submit",status="200"}"""));
        // Counters are live; what comes from the store is read at the first scrape and then again only after 5 s.
        Assert.Equal((0, 0, 0), (Value(before, active), Value(after, active), Value(stillCached, active)));
        Assert.Equal(2, Value(reread, active));
        Assert.Equal(0, Value(reread, """kling_gateway_active_tasks{tenant="tenant-b"}"""));
        Assert.Contains("""kling_gateway_units_reserved{tenant="tenant-a",model="kling-v1",mode="std"} 2""", reread, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Metrics_are_served_on_their_own_port_and_the_api_port_answers_404()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var port = Loopback.FreePort();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Metrics:Port"] = port.ToString(CultureInfo.InvariantCulture) }));
        using var api = gateway.CreateClient(TestKeys.TenantA);
        using var anonymous = gateway.CreateClient(key: null);
        await SubmitAsync(api);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var onApiPort = await anonymous.GetAsync("/metrics");
        using var onApiPortAsTenant = await api.GetAsync("/metrics");
        var onOwnPort = await scraper.GetStringAsync("/metrics");
        using var elsewhereOnOwnPort = await scraper.GetAsync(Text2VideoPath);

        await onApiPort.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        await onApiPortAsTenant.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(1, Value(onOwnPort, """kling_gateway_requests_total{route="/kling/v1/videos/text2video",status="200",tenant="tenant-a"}"""));
        // The metrics listener serves nothing else: the API is not reachable through it.
        Assert.Equal(HttpStatusCode.NotFound, elsewhereOnOwnPort.StatusCode);
        Assert.Equal(1, upstream.Count);
    }

    [SkippableFact]
    public async Task Scrapes_and_health_probes_are_logged_at_debug_and_api_requests_at_information()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Debug" }));
        using var api = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateMetricsClient();

        (await scraper.GetAsync("/metrics")).Dispose();
        (await api.GetAsync("/health/live")).Dispose();
        (await api.GetAsync("/health/ready")).Dispose();
        await SubmitAsync(api);

        List<LogEvent> Completions() => [.. gateway.Logs.Events.Where(e => e.Properties.ContainsKey("StatusCode"))];
        Assert.True(await Eventually.TrueAsync(() => Completions().Count == 4), string.Join("\n", Completions()));
        Assert.Equal(
            [(LogEventLevel.Debug, "\"/metrics\""), (LogEventLevel.Debug, "\"/health/live\""), (LogEventLevel.Debug, "\"/health/ready\""), (LogEventLevel.Information, "\"/kling/v1/videos/text2video\"")],
            Completions().Select(e => (e.Level, (e.Properties.GetValueOrDefault("RoutePattern") ?? e.Properties["RequestPath"]).ToString())));
    }
}

public sealed class MetricsTestsOnSqlite : MetricsTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class MetricsTestsOnRedis : MetricsTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
