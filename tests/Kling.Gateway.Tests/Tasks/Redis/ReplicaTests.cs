using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks.Redis;

/// <summary>Two gateway replicas in one process sharing one redis-server act as one gateway.</summary>
public sealed class ReplicaTests
{
    [SkippableFact]
    public async Task A_submit_limit_of_20_admits_exactly_20_of_60_submits_split_across_replicas()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Redis, new Dictionary<string, string?> { ["Tenants:0:Limits:SubmitsPerMinute"] = "20" });
        await using var one = new GatewayFactory(upstream.BaseAddress, settings);
        await using var two = new GatewayFactory(upstream.BaseAddress, settings);
        using var viaOne = one.CreateClient(TestKeys.TenantA);
        using var viaTwo = two.CreateClient(TestKeys.TenantA);

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            (i % 2 == 0 ? viaOne : viaTwo).PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.Equal(20, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(40, answers.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(20, upstream.Count);
    }

    [SkippableFact]
    public async Task An_active_task_cap_of_5_admits_exactly_5_across_replicas()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(StoreKind.Redis, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "5" });
        await using var one = new GatewayFactory(upstream.BaseAddress, settings);
        await using var two = new GatewayFactory(upstream.BaseAddress, settings);
        using var viaOne = one.CreateClient(TestKeys.TenantA);
        using var viaTwo = two.CreateClient(TestKeys.TenantA);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            (i % 2 == 0 ? viaOne : viaTwo).PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.Equal(5, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, upstream.Count);
    }

    [SkippableFact]
    public async Task Any_replica_answers_for_any_task_and_only_to_its_owner()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Redis);
        await using var one = new GatewayFactory(upstream.BaseAddress, settings);
        await using var two = new GatewayFactory(upstream.BaseAddress, settings);
        using var ownerViaOne = one.CreateClient(TestKeys.TenantA);
        using var ownerViaTwo = two.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(ownerViaOne);

        using var mine = await ownerViaTwo.GetAsync(Text2VideoPath + "/" + taskId);
        using var listed = await ownerViaTwo.GetAsync(Text2VideoPath);

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(taskId, (string)(await listed.ReadJsonAsync())["data"]![0]!["task_id"]!);
        foreach (var replica in new[] { one, two })
        {
            using var stranger = replica.CreateClient(TestKeys.TenantB);
            using var foreign = await stranger.GetAsync(Text2VideoPath + "/" + taskId);
            await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        }
    }

    [SkippableFact]
    public async Task An_idempotent_retry_sent_to_the_other_replica_gets_the_same_task()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Redis);
        await using var one = new GatewayFactory(upstream.BaseAddress, settings);
        await using var two = new GatewayFactory(upstream.BaseAddress, settings);
        using var viaOne = one.CreateClient(TestKeys.TenantA);
        using var viaTwo = two.CreateClient(TestKeys.TenantA);
        viaOne.DefaultRequestHeaders.Add("Idempotency-Key", "retry-across-replicas");
        viaTwo.DefaultRequestHeaders.Add("Idempotency-Key", "retry-across-replicas");

        var first = await SubmitAsync(viaOne);
        var retried = await SubmitAsync(viaTwo);

        Assert.Equal(first, retried);
        Assert.Equal(1, upstream.Count);
    }

    [SkippableFact]
    public async Task Replicas_share_the_last_upstream_answer_through_the_store()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        var settings = await TestStore.SettingsAsync(StoreKind.Redis, new Dictionary<string, string?> { ["Polling:MinInterval"] = "00:00:02" });
        await using var one = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        await using var two = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var viaOne = one.CreateClient(TestKeys.TenantA);
        using var viaTwo = two.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(viaOne);
        clock.Advance(TimeSpan.FromSeconds(3));

        using var asked = await viaOne.GetAsync(Text2VideoPath + "/" + taskId);
        var afterFirst = upstream.Count;
        clock.Advance(TimeSpan.FromSeconds(1));
        using var shared = await viaTwo.GetAsync(Text2VideoPath + "/" + taskId);

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Null(asked.Headers.Age);
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), shared.Headers.Age);
        Assert.Equal("processing", (string)(await shared.ReadJsonAsync())["data"]!["task_status"]!);
        Assert.Equal(afterFirst, upstream.Count);
    }
}
