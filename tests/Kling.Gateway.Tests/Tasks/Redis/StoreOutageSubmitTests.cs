using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks.Redis;

/// <summary>
/// Redis freezes (SIGSTOP) right after the upstream accepted submits: the gateway cannot record the tasks, and must
/// neither lose them nor let a retry create a second one.
/// </summary>
public sealed class StoreOutageSubmitTests
{
    [SkippableFact]
    public async Task A_submit_accepted_as_Redis_pauses_is_recorded_once_and_retries_with_its_key_get_that_task()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await OutageSettingsAsync(redis));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var outage = PauseOnce(upstream, redis, TimeSpan.FromSeconds(3.5));

        using var first = await SendAsync(client, "pay-777");
        var (taskId, attempts) = await RetryUntilAcceptedAsync(client, "pay-777");
        await outage;

        // The client was told to come back, not that nothing happened.
        await first.AssertKlingErrorAsync(HttpStatusCode.ServiceUnavailable, 5001);
        Assert.NotNull(first.Headers.RetryAfter);
        var created = Assert.Single(upstream.Submits);
        Assert.Equal((string)JsonNode.Parse(created.ResponseBody)!["data"]!["task_id"]!, taskId);
        Assert.Null(created.Header("Idempotency-Key"));
        Assert.InRange(attempts, 1, 200);
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
    }

    [SkippableFact]
    public async Task Twenty_submits_accepted_during_a_5s_pause_are_each_recorded_for_their_tenant_and_no_retry_submits_again()
    {
        const int Submits = 20;
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await OutageSettingsAsync(redis));
        // Every answer waits until all twenty tasks exist; then Redis freezes before any answer reaches the gateway.
        var allCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.HoldSubmitAnswers = allCreated.Task;
        var outage = PauseOnce(upstream, redis, TimeSpan.FromSeconds(5));
        var clients = Enumerable.Range(0, Submits)
            .Select(i => (Tenant: i % 2 == 0 ? "tenant-a" : "tenant-b", Client: gateway.CreateClient(i % 2 == 0 ? TestKeys.TenantA : TestKeys.TenantB), Key: "order-" + i))
            .ToList();

        var firstAnswers = clients.Select(c => SendAsync(c.Client, c.Key)).ToList();
        Assert.True(await Eventually.TrueAsync(() => upstream.Submits.Count == Submits), $"{upstream.Submits.Count} submits arrived");
        allCreated.SetResult();
        var firsts = await Task.WhenAll(firstAnswers);
        var settled = await Task.WhenAll(clients.Select(c => RetryUntilAcceptedAsync(c.Client, c.Key)));
        await outage;

        // Every upstream task, and no other, is the task of the one client whose submit created it.
        var created = upstream.Submits.Select(s => (string)JsonNode.Parse(s.ResponseBody)!["data"]!["task_id"]!).ToHashSet();
        Assert.Equal(Submits, upstream.Submits.Count);
        Assert.Equal(created, settled.Select(s => s.TaskId).ToHashSet());
        Assert.Contains(firsts, f => f.StatusCode == HttpStatusCode.ServiceUnavailable);
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var b = gateway.CreateClient(TestKeys.TenantB);
        foreach (var (owner, (taskId, _)) in clients.Select(c => c.Tenant).Zip(settled))
        {
            using var own = await (owner == "tenant-a" ? a : b).GetAsync(Text2VideoPath + "/" + taskId);
            using var foreign = await (owner == "tenant-a" ? b : a).GetAsync(Text2VideoPath + "/" + taskId);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        }

        foreach (var response in firsts)
        {
            response.Dispose();
        }

        clients.ForEach(c => c.Client.Dispose());
    }

    [SkippableFact]
    public async Task A_slot_whose_release_failed_in_an_outage_is_given_back_once_Redis_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await OutageSettingsAsync(redis);
        settings["Tenants:0:Limits:MaxActiveTasks"] = "1";
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        // The upstream refuses the submit (nothing created) just as Redis freezes: the slot cannot be given back then.
        upstream.Faults.Current = new FaultSettings(FaultMode.ServerError, TimeSpan.Zero);
        var outage = PauseOnce(upstream, redis, TimeSpan.FromSeconds(2));

        using var refused = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        await outage;
        upstream.Faults.Current = FaultSettings.None;

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        // Once Redis is back, the one slot is free again: a submit is forwarded (not 429/1303).
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var next = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
            return next.StatusCode == HttpStatusCode.OK;
        }), "the slot was never given back");
        Assert.Equal(2, upstream.Submits.Count);
    }

    private static async Task<Dictionary<string, string?>> OutageSettingsAsync(RedisServer redis)
    {
        var settings = await TestStore.SettingsAsync(StoreKind.Redis);
        settings["Store:Redis:Configuration"] = redis.Configuration;
        settings["Store:Redis:Timeout"] = "00:00:00.500";
        return settings;
    }

    /// <summary>
    /// Once the first submit has been answered by the upstream (before any answer leaves), freezes Redis for
    /// <paramref name="pause"/>; every submit's answer waits until Redis is frozen. Completes when Redis runs again.
    /// </summary>
    private static Task PauseOnce(RecordingUpstream upstream, RedisServer redis, TimeSpan pause)
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frozen = new Lazy<Task>(async () =>
        {
            await redis.PauseAsync();
            _ = Task.Run(async () =>
            {
                // The length of the outage being simulated, not a wait for state.
                await Task.Delay(pause);
                await redis.ResumeAsync();
                resumed.SetResult();
            });
        });
        upstream.AfterSubmit = _ => frozen.Value;
        return resumed.Task;
    }

    /// <summary>Retries the keyed submit as an impatient client would (every 250 ms) until it is answered 200 (bounded).</summary>
    private static async Task<(string TaskId, int Attempts)> RetryUntilAcceptedAsync(HttpClient client, string key)
    {
        for (var attempt = 1; attempt <= 200; attempt++)
        {
            using var response = await SendAsync(client, key);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return ((string)(await response.ReadJsonAsync())["data"]!["task_id"]!, attempt);
            }

            Assert.True(response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict,
                $"attempt {attempt}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new InvalidOperationException("the submit was never accepted");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
