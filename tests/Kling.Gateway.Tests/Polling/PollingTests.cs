using System.Diagnostics;
using System.Globalization;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Polling;

/// <summary>Polls cost the upstream as little as possible, on either store.</summary>
public abstract class PollingTests(ITestOutputHelper output)
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task Once_finished_a_task_is_answered_from_the_store_100_times_without_an_upstream_call()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind));
        using var owner = gateway.CreateClient(TestKeys.TenantA);
        using var stranger = gateway.CreateClient(TestKeys.TenantB);
        var taskId = await SubmitAsync(owner);
        clock.Advance(TimeSpan.FromSeconds(11));
        using var finished = await owner.GetAsync(Text2VideoPath + "/" + taskId);
        var first = await finished.Content.ReadAsStringAsync();
        var firstId = finished.Headers.GetValues("X-Request-Id").Single();
        var mark = upstream.Count;

        for (var i = 0; i < 100; i++)
        {
            using var again = await owner.GetAsync(Text2VideoPath + "/" + taskId);
            var body = await again.Content.ReadAsStringAsync();
            var requestId = again.Headers.GetValues("X-Request-Id").Single();
            Assert.Contains($"\"request_id\":\"{requestId}\"", body, StringComparison.Ordinal);
            Assert.Equal(first, body.Replace(requestId, firstId, StringComparison.Ordinal).Replace(firstId, UpstreamRequestId(first), StringComparison.Ordinal));
        }

        using var foreign = await stranger.GetAsync(Text2VideoPath + "/" + taskId);
        using var scraper = gateway.CreateMetricsClient();
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Equal("succeed", (string)(await finished.ReadJsonAsync())["data"]!["task_status"]!);
        Assert.Equal(mark, upstream.Count);
        await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Contains("kling_gateway_task_queries_total{tenant=\"tenant-a\",answered_by=\"store\"} 100", metrics, StringComparison.Ordinal);
        Assert.Contains("kling_gateway_task_queries_total{tenant=\"tenant-a\",answered_by=\"upstream\"} 1", metrics, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Fifty_concurrent_queries_of_an_unfinished_task_share_one_upstream_call()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = upstream.Count;
        // A slow upstream: every query arrives while the first one's upstream call is still out.
        upstream.Faults.Current = new FaultSettings(FaultMode.None, TimeSpan.FromSeconds(1));

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync(Text2VideoPath + "/" + taskId)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        output.WriteLine($"upstream calls for 50 concurrent queries: {upstream.Count - mark}");
        Assert.Equal(1, upstream.Count - mark);
    }

    [SkippableFact]
    public async Task A_ten_second_poll_storm_with_a_two_second_minimum_interval_makes_at_most_six_upstream_calls()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { FinishAfter = TimeSpan.FromDays(1) });
        await using var gateway = await OnClockAsync(upstream, clock);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = upstream.Count;

        var answers = new List<HttpResponseMessage>();
        for (var step = 0; step < 20; step++)
        {
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync(Text2VideoPath + "/" + taskId))));
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.InRange(upstream.Count - mark, 1, 6);
        Assert.Contains(answers, a => a.Headers.Age is not null);
        output.WriteLine($"upstream calls for 200 queries over 10 s: {upstream.Count - mark}");
    }

    [SkippableFact]
    public async Task An_answer_younger_than_the_minimum_interval_is_served_again_with_its_age_and_this_requests_id()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var gateway = new GatewayFactory(
            upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Polling:MinInterval"] = "00:00:30" }));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = upstream.Count;

        using var stored = await client.GetAsync(Text2VideoPath + "/" + taskId);

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.NotNull(stored.Headers.Age);
        Assert.Equal(stored.Headers.GetValues("X-Request-Id").Single(), (string)(await stored.ReadJsonAsync())["request_id"]!);
        Assert.Equal(mark, upstream.Count);
    }

    [SkippableFact]
    public async Task A_long_poll_returns_within_one_poll_interval_of_the_finish_and_an_unfinished_state_at_its_deadline()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(
            clock, new SimulatorOptions { ProcessingAfter = TimeSpan.FromSeconds(1), FinishAfter = TimeSpan.FromSeconds(3) });
        await using var gateway = await OnClockAsync(upstream, clock);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var started = clock.GetUtcNow();
        var finishing = await SubmitAsync(client);

        var (answer, elapsed) = await LongPollAsync(client, clock, finishing, 30, started);

        Assert.Equal("succeed", (string)answer["data"]!["task_status"]!);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3 + 2 + 1));
        output.WriteLine($"long poll returned succeed {elapsed.TotalSeconds:0.0} s after submit (finish at 3 s, MinInterval 2 s)");
    }

    [SkippableFact]
    public async Task Five_hundred_held_long_polls_use_no_threads_and_share_the_upstream_calls()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { FinishAfter = TimeSpan.FromDays(1) });
        await using var gateway = await OnClockAsync(upstream, clock);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        (await client.GetAsync(Text2VideoPath + "/" + taskId)).Dispose();
        var mark = upstream.Count;
        using var process = Process.GetCurrentProcess();
        var threadsBefore = process.Threads.Count;
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        var held = Enumerable.Range(0, 500).Select(_ => client.GetAsync(Text2VideoPath + "/" + taskId + "?wait=30")).ToList();
        await Task.Delay(1000);
        process.Refresh();
        var threadsHeld = process.Threads.Count;
        var memoryHeld = GC.GetTotalMemory(forceFullCollection: true);
        for (var step = 0; step < 32 && !held.TrueForAll(t => t.IsCompleted); step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            // Real time for 500 waiters to look, so the clock does not run ahead of them.
            await Task.Delay(150);
        }

        // On a loaded machine a waiter may have set its last timer after the final step: time moves on until it fires.
        for (var step = 0; step < 100 && !held.TrueForAll(t => t.IsCompleted); step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(150);
        }

        var answers = await Task.WhenAll(held);
        output.WriteLine($"threads {threadsBefore} -> {threadsHeld} with 500 held; managed memory {memoryBefore / 1024} KiB -> {memoryHeld / 1024} KiB; upstream calls over 30 s: {upstream.Count - mark}");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal("processing", (string)(await answers[0].ReadJsonAsync())["data"]!["task_status"]!);
        Assert.InRange(upstream.Count - mark, 1, 30 / 2 + 2);
        Assert.InRange(threadsHeld - threadsBefore, int.MinValue, 40);
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("61")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task A_wait_outside_1_to_60_seconds_gets_400_1201(string wait)
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = upstream.Count;

        using var response = await client.GetAsync(Text2VideoPath + "/" + taskId + "?wait=" + wait);

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith("wait", message, StringComparison.Ordinal);
        Assert.Equal(mark, upstream.Count);
    }

    /// <summary>A gateway on the test's clock with the default 2 s poll interval, and no background refresh in the way.</summary>
    private async Task<GatewayFactory> OnClockAsync(RecordingUpstream upstream, FakeTimeProvider clock) => new(
        upstream.BaseAddress,
        await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Polling:MinInterval"] = "00:00:02", ["Tasks:RefreshInterval"] = "01:00:00" }),
        services => services.AddSingleton<TimeProvider>(clock));

    /// <summary>Holds a long poll while advancing the clock in half-second steps; returns the answer and the clock time it took.</summary>
    private static async Task<(System.Text.Json.Nodes.JsonObject Answer, TimeSpan Elapsed)> LongPollAsync(
        HttpClient client, FakeTimeProvider clock, string taskId, int waitSeconds, DateTimeOffset started)
    {
        var poll = client.GetAsync(Text2VideoPath + "/" + taskId + "?wait=" + waitSeconds.ToString(CultureInfo.InvariantCulture));
        for (var step = 0; step < waitSeconds * 2 + 4 && !poll.IsCompleted; step++)
        {
            await Task.Delay(50);
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        using var response = await poll;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync(), clock.GetUtcNow() - started);
    }

    private static string UpstreamRequestId(string body) =>
        (string)System.Text.Json.Nodes.JsonNode.Parse(body)!["request_id"]!;
}

public sealed class PollingTestsOnSqlite(ITestOutputHelper output) : PollingTests(output)
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PollingTestsOnRedis(ITestOutputHelper output) : PollingTests(output)
{
    protected override StoreKind Kind => StoreKind.Redis;
}
