using System.Globalization;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;
using static Kling.Gateway.Tests.Infrastructure.PrometheusText;

namespace Kling.Gateway.Tests.Observability;

public abstract class MetricsTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task Metrics_count_requests_rejections_active_tasks_and_upstream_latency()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Tenants:0:Limits:MaxActiveTasks"] = "2",
            ["Tenants:0:Limits:SubmitsPerMinute"] = "3",
        }));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateClient(key: null);
        var before = await scraper.GetStringAsync("/metrics");

        for (var i = 0; i < 4; i++)
        {
            (await a.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        }

        var after = await scraper.GetStringAsync("/metrics");

        const string submits = """kling_gateway_requests_total{route="/kling/v1/videos/text2video",status="200",tenant="tenant-a"}""";
        Assert.Equal(0, Value(before, submits));
        Assert.Equal(2, Value(after, submits));
        Assert.Equal(1, Value(after, """kling_gateway_rejections_total{tenant="tenant-a",reason="concurrency"}"""));
        Assert.Equal(1, Value(after, """kling_gateway_rejections_total{tenant="tenant-a",reason="rate_limit"}"""));
        Assert.Equal(2, Value(after, """kling_gateway_active_tasks{tenant="tenant-a"}"""));
        Assert.Equal(0, Value(after, """kling_gateway_active_tasks{tenant="tenant-b"}"""));
        Assert.Equal(2, Value(after, """kling_gateway_upstream_duration_seconds_count{operation="submit",status="200"}"""));
    }

    [SkippableFact]
    public async Task Metrics_can_move_to_a_port_of_their_own()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var port = Loopback.FreePort();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Metrics:Port"] = port.ToString(CultureInfo.InvariantCulture) }));
        using var api = gateway.CreateClient(TestKeys.TenantA);
        await SubmitAsync(api);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var onApiPort = await api.GetAsync("/metrics");
        var onOwnPort = await scraper.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Equal(1, Value(onOwnPort, """kling_gateway_requests_total{route="/kling/v1/videos/text2video",status="200",tenant="tenant-a"}"""));
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
