using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Callbacks.CallbackTesting;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>Events outlive a crash of the gateway, and replicas sharing Redis deliver each one exactly once.</summary>
public sealed class CallbackDurabilityTests
{
    [SkippableFact]
    public async Task Events_pending_when_the_gateway_is_killed_are_all_delivered_after_its_restart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        // The first attempt is turned away for 3 s; the gateway dies before it can try again.
        receiver.Answer = n => n == 1 ? (503, new Dictionary<string, string> { ["Retry-After"] = "3" }) : (200, null);
        var environment = new Dictionary<string, string>
        {
            ["Store__Sqlite__Path"] = Path.Combine(Path.GetTempPath(), "kling-gateway-tests", "callbacks-" + Guid.NewGuid().ToString("N") + ".db"),
            ["Upstream__BaseUrl"] = upstream.BaseAddress.ToString(),
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Tenants__0__Id"] = "tenant-a",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            ["Tenants__0__WebhookSecrets__0"] = Secret,
            ["Callbacks__AllowedNetworks__0"] = "127.0.0.1/32",
            ["Tasks__RefreshInterval"] = "00:00:01",
        };
        string taskId;
        bool firstAttemptSettled;
        int receivedBeforeKill;
        await using (var first = GatewayProcess.Start(environment))
        {
            // The restarted gateway opens the same database.
            first.DeleteDatabaseOnDispose = false;
            await first.WaitUntilReadyAsync();
            using var client = Client(first, TestKeys.TenantA);
            taskId = await SubmitAsync(client, Submit(receiver.Url()));
            clock.Advance(TimeSpan.FromSeconds(3));
            using var processing = await client.GetAsync(Text2VideoPath + "/" + taskId);
            using var scraper = new HttpClient { BaseAddress = first.MetricsAddress };
            firstAttemptSettled = await Eventually.TrueAsync(async () =>
                (await scraper.GetStringAsync("/metrics")).Contains(Label("tenant-a", "retried") + " 1", StringComparison.Ordinal));
            await first.KillAsync();
            receivedBeforeKill = receiver.Count;
        }

        // While it was down the task finished; nobody queries it after the restart.
        clock.Advance(TimeSpan.FromSeconds(8));
        await using var second = GatewayProcess.Start(environment);
        await second.WaitUntilReadyAsync();
        var delivered = await Eventually.TrueAsync(() => receiver.Count == 3);

        Assert.True(firstAttemptSettled);
        Assert.Equal(1, receivedBeforeKill);
        Assert.True(delivered, $"received {receiver.Count}:\n{second.Output}");
        var received = receiver.Received;
        Assert.All(received, r => r.Verify(Secret));
        Assert.Equal(["processing", "processing", "succeed"], received.Select(r => (string)r.Json["data"]!["task_status"]!));
        Assert.Equal(received[0].Header("webhook-id"), received[1].Header("webhook-id"));
        Assert.NotEqual(received[1].Header("webhook-id"), received[2].Header("webhook-id"));
        Assert.All(received, r => Assert.Equal(taskId, (string)r.Json["data"]!["task_id"]!));
    }

    [SkippableFact]
    public async Task Two_replicas_on_redis_deliver_each_event_exactly_once_and_in_order_per_task()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        var settings = await SettingsAsync(StoreKind.Redis);
        await using var one = new GatewayFactory(upstream.BaseAddress, settings, Resolving(new HostsTable()));
        await using var two = new GatewayFactory(upstream.BaseAddress, settings, Resolving(new HostsTable()));
        HttpClient[] clients = [one.CreateClient(TestKeys.TenantA), two.CreateClient(TestKeys.TenantA)];
        var taskIds = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            taskIds.Add(await SubmitAsync(clients[i % 2], Submit(receiver.Url())));
        }

        // Both replicas observe every change at once (and their refreshers run too): the races are real.
        clock.Advance(TimeSpan.FromSeconds(3));
        await QueryEverywhereAsync(clients, taskIds);
        var processing = await Eventually.TrueAsync(() => receiver.Count >= 10);
        clock.Advance(TimeSpan.FromSeconds(8));
        await QueryEverywhereAsync(clients, taskIds);
        var finished = await Eventually.TrueAsync(() => receiver.Count >= 20);
        // Every event settled as delivered, by one replica or the other: none is left that could be delivered again.
        var settled = await Eventually.TrueAsync(async () => Delivered(await MetricsAsync(one)) + Delivered(await MetricsAsync(two)) >= 20);
        var deliveredByOne = Delivered(await MetricsAsync(one));
        var deliveredByTwo = Delivered(await MetricsAsync(two));

        Assert.True(processing && finished && settled, $"received {receiver.Count}");
        var received = receiver.Received;
        Assert.Equal(20, received.Count);
        Assert.Equal(20, received.Select(r => r.Header("webhook-id")).Distinct().Count());
        Assert.Equal(20, deliveredByOne + deliveredByTwo);
        foreach (var taskId in taskIds)
        {
            Assert.Equal(["processing", "succeed"], received.Where(r => (string)r.Json["data"]!["task_id"]! == taskId)
                .Select(r => (string)r.Json["data"]!["task_status"]!));
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static Task QueryEverywhereAsync(HttpClient[] clients, List<string> taskIds) =>
        Task.WhenAll(taskIds.SelectMany(id => clients.Select(async c => (await c.GetAsync(Text2VideoPath + "/" + id)).Dispose())));

    private static double Delivered(string metrics) => PrometheusText.Value(metrics, Label("tenant-a", "delivered"));

    private static HttpClient Client(GatewayProcess gateway, string? key)
    {
        var client = new HttpClient { BaseAddress = gateway.Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
