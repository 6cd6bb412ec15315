using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks;

public abstract class ActiveTaskTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task Over_the_active_task_cap_a_submit_gets_429_1303_until_a_task_is_seen_finished()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "2" }));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var first = await SubmitAsync(client);
        await SubmitAsync(client);

        using var third = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var message = await third.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
        Assert.Contains("2 running tasks", message, StringComparison.Ordinal);
        Assert.Equal(2, upstream.Received.Count(r => r.Method == "POST"));

        clock.Advance(TimeSpan.FromSeconds(11));
        using var finished = await client.GetAsync(Text2VideoPath + "/" + first);
        Assert.Equal("succeed", (string)(await finished.ReadJsonAsync())["data"]!["task_status"]!);

        using var admitted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(3, upstream.Received.Count(r => r.Method == "POST"));
    }

    [SkippableFact]
    public async Task Fifty_concurrent_submits_with_a_cap_of_ten_admit_exactly_ten()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "10" }));
        using var client = gateway.CreateClient(TestKeys.TenantA);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.Equal(10, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(40, answers.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(10, upstream.Count);
    }

    [SkippableFact]
    public async Task A_failed_upstream_submit_frees_its_slot_at_once()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "1" }));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        upstream.Faults.Current = new FaultSettings(FaultMode.ServerError, TimeSpan.Zero);

        using var failed = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        upstream.Faults.Current = FaultSettings.None;
        using var retried = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [SkippableFact]
    public async Task The_refresher_frees_the_slot_of_a_finished_task_nobody_polls()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "1", ["Tasks:RefreshInterval"] = "00:00:30" }),
            services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        using var blocked = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        await blocked.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);

        clock.Advance(TimeSpan.FromSeconds(31));
        var refreshed = await Eventually.TrueAsync(() => upstream.Received.Any(r => r.Method == "GET" && r.PathAndQuery.EndsWith(taskId, StringComparison.Ordinal)));

        Assert.True(refreshed, "the refresher never queried the unpolled task");
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var again = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
            return again.StatusCode == HttpStatusCode.OK;
        }));
    }

    [SkippableFact]
    public async Task A_task_older_than_the_maximum_age_no_longer_holds_a_slot()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { FinishAfter = TimeSpan.FromDays(1) });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "1", ["Tasks:MaxTaskAge"] = "00:05:00", ["Tasks:RefreshInterval"] = "01:00:00" }),
            services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        await SubmitAsync(client);
        using var blocked = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        clock.Advance(TimeSpan.FromMinutes(5));
        using var admitted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        await blocked.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }
}

public sealed class ActiveTaskTestsOnSqlite : ActiveTaskTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class ActiveTaskTestsOnRedis : ActiveTaskTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
