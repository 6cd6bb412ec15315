using System.Diagnostics;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks.Redis;

public sealed class RedisOutageTests
{
    [SkippableFact]
    public async Task Without_Redis_requests_get_503_5001_in_time_readiness_fails_and_both_recover_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Redis, new Dictionary<string, string?>
        {
            ["Store:Redis:Configuration"] = redis.Configuration,
            ["Store:Redis:Timeout"] = "00:00:00.500",
        });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        // As behind a load balancer: traffic once ready (connected to Redis).
        Assert.True(await Eventually.TrueAsync(() => IsReadyAsync(client)), "never became ready");
        var taskId = await SubmitAsync(client);
        var forwardedBefore = upstream.Count;

        await redis.StopAsync();
        var clock = Stopwatch.StartNew();
        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var elapsed = clock.Elapsed;
        using var ready = await client.GetAsync("/health/ready");

        foreach (var refused in new[] { submit, query })
        {
            var message = await refused.AssertKlingErrorAsync(HttpStatusCode.ServiceUnavailable, 5001);
            Assert.Contains("Redis", message, StringComparison.Ordinal);
        }

        // The log tells why, under the route asked for, without a stack trace.
        var refusals = gateway.Logs.Events.Where(e => e.Properties.TryGetValue("StatusCode", out var status) && status.ToString() == "503"
            && e.Properties["RoutePattern"].ToString().Contains("text2video", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["\"/kling/v1/videos/text2video\"", "\"/kling/v1/videos/text2video/{task_id}\""],
            refusals.Select(e => e.Properties["RoutePattern"].ToString()));
        Assert.All(refusals, e => Assert.Equal("5001", e.Properties["KlingCode"].ToString()));
        Assert.All(refusals, e => Assert.Contains("Redis", e.Properties["Reason"].ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Events, e => e.Exception is not null);
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(forwardedBefore, upstream.Count);

        await redis.StartAgainAsync();
        Assert.True(await Eventually.TrueAsync(() => IsReadyAsync(client)), "readiness did not recover");
        using var afterwards = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        using var probe = await client.GetAsync("/health/ready");
        return probe.StatusCode == HttpStatusCode.OK;
    }
}
