using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks;

public abstract class RestartTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task Tasks_ownership_idempotency_and_slots_survive_a_restart_on_the_same_database()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        // The same settings name the same database file (or Redis key prefix): the second gateway is the first, restarted.
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "2" });
        string taskId;
        await using (var before = new GatewayFactory(upstream.BaseAddress, settings) { DeleteDatabaseOnDispose = false })
        {
            using var a = before.CreateClient(TestKeys.TenantA);
            taskId = await SubmitAsync(a);
            using var keyed = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
            keyed.Headers.Add("Idempotency-Key", "restart-key");
            (await a.SendAsync(keyed)).Dispose();
        }

        await using var after = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = after.CreateClient(TestKeys.TenantA);
        using var other = after.CreateClient(TestKeys.TenantB);
        var mark = upstream.Count;

        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        using var list = await client.GetAsync(Text2VideoPath);
        using var foreign = await other.GetAsync(Text2VideoPath + "/" + taskId);
        using var retry = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        retry.Headers.Add("Idempotency-Key", "restart-key");
        using var replayed = await client.SendAsync(retry);
        using var overCap = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Contains(taskId, (await list.ReadJsonAsync())["data"]!.AsArray().Select(t => (string)t!["task_id"]!));
        await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        await overCap.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
        Assert.Equal(1, upstream.Count - mark);
    }
}

public sealed class RestartTestsOnSqlite : RestartTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class RestartTestsOnRedis : RestartTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
