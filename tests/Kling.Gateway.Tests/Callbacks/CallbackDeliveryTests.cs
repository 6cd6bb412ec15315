using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Callbacks.CallbackTesting;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>Callbacks reach a real receiver on loopback, signed, in order, retried, on either store.</summary>
public abstract class CallbackDeliveryTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task A_task_nobody_queries_calls_back_processing_then_succeed_signed_by_every_secret_in_order_with_the_data_a_query_returns()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        // Tenant A is rotating: both of its secrets sign.
        var settings = await SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:WebhookSecrets:1"] = NextSecret });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, Resolving(new HostsTable()));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit(receiver.Url()));

        clock.Advance(TimeSpan.FromSeconds(3));
        var processing = await Eventually.TrueAsync(() => receiver.Count == 1);
        clock.Advance(TimeSpan.FromSeconds(8));
        var succeed = await Eventually.TrueAsync(() => receiver.Count == 2);
        var queriesByClient = upstream.Received.Count(e => e.Method == "GET");
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var queried = (await query.ReadJsonAsync())["data"];

        Assert.True(processing && succeed, $"events received: {receiver.Count}");
        var events = receiver.Received;
        foreach (var received in events)
        {
            received.Verify(Secret);
            received.VerifyEachEntry(Secret, NextSecret);
            Assert.True(received.PassesReadmeCheck(Secret));
            Assert.True(received.PassesReadmeCheck(NextSecret));
            Assert.False(received.PassesReadmeCheck("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
            Assert.Equal(EventType, (string)received.Json["type"]!);
            Assert.True(DateTimeOffset.TryParse((string)received.Json["timestamp"]!, out _));
            Assert.Equal("application/json", received.Header("Content-Type"));
            Assert.Equal("/hooks/kling", received.PathAndQuery);
        }

        Assert.Equal(["processing", "succeed"], events.Select(e => (string)e.Json["data"]!["task_status"]!));
        Assert.All(events, e => Assert.Equal(taskId, (string)e.Json["data"]!["task_id"]!));
        Assert.NotEqual(events[0].Header("webhook-id"), events[1].Header("webhook-id"));
        Assert.True(JsonNode.DeepEquals(queried, events[1].Json["data"]), $"{queried} vs {events[1].Json["data"]}");
        // The processing event carries the data the upstream answered when the refresher saw the change, as a query
        // shows it: with the external_task_id the client sent (none), not the gateway's upstream one.
        var processingAnswer = upstream.Received.Where(e => e.Method == "GET")
            .Select(e => JsonNode.Parse(e.ResponseBody)!["data"]!).First(d => (string)d["task_status"]! == "processing");
        Assert.StartsWith("kg-", (string)processingAnswer["task_info"]!["external_task_id"]!, StringComparison.Ordinal);
        processingAnswer["task_info"]!["external_task_id"] = null;
        Assert.True(JsonNode.DeepEquals(processingAnswer, events[0].Json["data"]), $"{processingAnswer} vs {events[0].Json["data"]}");
        Assert.True(queriesByClient >= 2, "the refresher, not a client, observed the changes");
        AssertNoTenantCallbackReachedUpstream(upstream, receiver.Url());
        Assert.DoesNotContain("callback_url", System.Text.Encoding.UTF8.GetString(upstream.Received[0].Body), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_receiver_failing_twice_gets_three_attempts_with_one_webhook_id_and_fresh_valid_signatures()
    {
        var upstreamClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gatewayClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(upstreamClock);
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Answer = n => (n <= 2 ? 500 : 200, null);
        await using var gateway = await GatewayAsync(upstream, Kind, gatewayClock);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit(receiver.Url()));
        upstreamClock.Advance(TimeSpan.FromSeconds(3));

        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var first = await Eventually.TrueAsync(() => receiver.Count == 1);
        // Waiting for its retry (at least 4 s away), the event is the tenant's one pending, 2 s old.
        gatewayClock.Advance(TimeSpan.FromSeconds(2));
        var waiting = await MetricsAsync(gateway);
        // Time passes on the gateway's clock only: one second per look, until the backoff lets the next attempt go.
        var second = await Eventually.TrueAsync(() => Tick(gatewayClock, receiver, 2));
        var third = await Eventually.TrueAsync(() => Tick(gatewayClock, receiver, 3));
        var counted = await OutcomeCountedAsync(gateway, "delivered", 1);
        // The gauges read from the store are refreshed at most every 5 s.
        gatewayClock.Advance(TimeSpan.FromSeconds(6));
        var metrics = await MetricsAsync(gateway);

        Assert.True(first && second && third, $"attempts: {receiver.Count}");
        var attempts = receiver.Received;
        Assert.Single(attempts.Select(a => a.Header("webhook-id")).Distinct());
        Assert.Equal(3, attempts.Select(a => a.Header("webhook-timestamp")).Distinct().Count());
        Assert.Equal(3, attempts.Select(a => a.Header("webhook-signature")).Distinct().Count());
        Assert.All(attempts, a => a.Verify(Secret));
        Assert.All(attempts, a => Assert.Equal(attempts[0].Body, a.Body));
        // No attempt before its backoff (about 5 s, then about 30 s, each at least 80 % of that) is over.
        var sentAt = attempts.Select(a => long.Parse(a.Header("webhook-timestamp"), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(sentAt[1] - sentAt[0] >= 4, $"second attempt {sentAt[1] - sentAt[0]} s after the first");
        Assert.True(sentAt[2] - sentAt[1] >= 24, $"third attempt {sentAt[2] - sentAt[1]} s after the second");
        Assert.Equal(1, Series(waiting, QueueDepth("tenant-a")));
        Assert.Equal(2, Series(waiting, OldestPendingAge("tenant-a")), 2);
        Assert.True(counted);
        Assert.Equal(2, Series(metrics, Label("tenant-a", "retried")));
        Assert.Equal(1, Series(metrics, Label("tenant-a", "delivered")));
        Assert.Equal(0, Series(metrics, QueueDepth("tenant-a")));
        Assert.Equal(0, Series(metrics, OldestPendingAge("tenant-a")));
    }

    [SkippableFact]
    public async Task A_receiver_answering_410_gets_no_further_event_of_that_task()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gatewayClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Answer = _ => (410, null);
        await using var gateway = await GatewayAsync(upstream, Kind, gatewayClock);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit(receiver.Url()));
        clock.Advance(TimeSpan.FromSeconds(3));
        using var processing = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var stopped = await OutcomeCountedAsync(gateway, "stopped", 1);

        clock.Advance(TimeSpan.FromSeconds(8));
        using var finished = await client.GetAsync(Text2VideoPath + "/" + taskId);
        // The gauges read from the store are refreshed at most every 5 s.
        gatewayClock.Advance(TimeSpan.FromSeconds(6));
        var metrics = await MetricsAsync(gateway);

        Assert.True(stopped);
        Assert.Equal("succeed", (string)(await finished.ReadJsonAsync())["data"]!["task_status"]!);
        // The succeed observation queued nothing (a query returns after its observation is queued or skipped).
        Assert.Equal(0, Series(metrics, QueueDepth("tenant-a")));
        Assert.Equal(1, receiver.Count);
        Assert.Equal("processing", (string)receiver.Received[0].Json["data"]!["task_status"]!);
    }

    private static bool Tick(FakeTimeProvider clock, CallbackReceiver receiver, int attempts)
    {
        if (receiver.Count >= attempts)
        {
            return true;
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        return false;
    }
}

public sealed class CallbackDeliveryTestsOnSqlite : CallbackDeliveryTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class CallbackDeliveryTestsOnRedis : CallbackDeliveryTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
