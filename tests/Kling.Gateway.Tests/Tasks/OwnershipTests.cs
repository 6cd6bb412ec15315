using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks;

public abstract class OwnershipTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [SkippableFact]
    public async Task Another_tenants_task_looks_exactly_like_an_unknown_one_and_the_upstream_is_not_asked()
    {
        using var a = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var b = fixture.Gateway.CreateClient(TestKeys.TenantB);
        var taskOfA = await SubmitAsync(a);
        var mark = fixture.Upstream.Count;

        using var foreign = await b.GetAsync(Text2VideoPath + "/" + taskOfA);
        using var unknown = await b.GetAsync(Text2VideoPath + "/" + "999" + taskOfA[3..]);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(unknown.StatusCode, foreign.StatusCode);
        Assert.Equal(WithoutRequestId(await unknown.ReadJsonAsync()), WithoutRequestId(await foreign.ReadJsonAsync()));
        Assert.Equal(
            unknown.Content.Headers.Select(h => h.Key).Order(),
            foreign.Content.Headers.Select(h => h.Key).Order());
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [SkippableFact]
    public async Task A_task_id_the_upstream_gives_twice_stays_with_its_first_owner_and_the_second_submit_gets_502()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(fixture.Kind));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var b = gateway.CreateClient(TestKeys.TenantB);
        // A broken (or replaying) upstream answers every submit with the same task.
        upstream.FixedSubmitAnswer = """{"code":0,"message":"success","data":{"task_id":"shared-task-1","task_status":"submitted"}}"""u8.ToArray();

        var ownedByA = await SubmitAsync(a);
        using var fromB = await b.PostAsync(Text2VideoPath, Json(ValidSubmit));
        upstream.FixedSubmitAnswer = null;
        using var listOfA = await a.GetAsync(Text2VideoPath);
        using var listOfB = await b.GetAsync(Text2VideoPath);
        var mark = upstream.Count;
        using var readByB = await b.GetAsync(Text2VideoPath + "/shared-task-1");

        Assert.Equal("shared-task-1", ownedByA);
        await fromB.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5000);
        Assert.Contains("shared-task-1", (await listOfA.ReadJsonAsync())["data"]!.AsArray().Select(t => (string)t!["task_id"]!));
        Assert.Empty((await listOfB.ReadJsonAsync())["data"]!.AsArray());
        await readByB.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(mark, upstream.Count);
        Assert.Contains(gateway.Logs.Events, e => e.Level == Serilog.Events.LogEventLevel.Error
            && e.RenderMessage().Contains("shared-task-1", StringComparison.Ordinal) && e.RenderMessage().Contains("tenant-b", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_tenant_lists_only_its_own_tasks_newest_first_in_pages()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(fixture.Kind));
        using var c = gateway.CreateClient(TestKeys.TenantC);
        using var b = gateway.CreateClient(TestKeys.TenantB);
        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await SubmitAsync(c));
        }

        var theirs = await SubmitAsync(b);

        var all = await ListAsync(c, "");
        var firstPage = await ListAsync(c, "?pageNum=1&pageSize=2");
        var secondPage = await ListAsync(c, "?pageNum=2&pageSize=2");

        Assert.Equal(Enumerable.Reverse(mine), all);
        Assert.Equal(Enumerable.Reverse(mine).Take(2), firstPage);
        Assert.Equal([mine[0]], secondPage);
        Assert.DoesNotContain(theirs, all);
    }

    [SkippableFact]
    public async Task Listed_tasks_are_the_upstreams_task_objects()
    {
        using var c = fixture.Gateway.CreateClient(TestKeys.TenantC);
        var taskId = await SubmitAsync(c);

        using var response = await c.GetAsync(Text2VideoPath + "?pageSize=1");

        var json = await response.ReadJsonAsync();
        Assert.Equal(0, (int)json["code"]!);
        Assert.Equal("success", (string)json["message"]!);
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (string)json["request_id"]!);
        var task = json["data"]!.AsArray().Single()!;
        Assert.Equal(taskId, (string)task["task_id"]!);
        Assert.Equal("submitted", (string)task["task_status"]!);
        Assert.NotNull(task["created_at"]);
    }

    [SkippableTheory]
    [InlineData("?pageNum=0", "pageNum")]
    [InlineData("?pageNum=1001", "pageNum")]
    [InlineData("?pageNum=x", "pageNum")]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=501", "pageSize")]
    [InlineData("?pageSize=-5", "pageSize")]
    public async Task Page_parameters_out_of_range_get_400_1201(string query, string field)
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.GetAsync(Text2VideoPath + query);

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith(field, message, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ListAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync(Text2VideoPath + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync())["data"]!.AsArray().Select(t => (string)t!["task_id"]!)];
    }

    private static string WithoutRequestId(JsonObject json)
    {
        json.Remove("request_id");
        return json.ToJsonString();
    }
}

public sealed class OwnershipTestsOnSqlite(GatewayFixture fixture) : OwnershipTests<GatewayFixture>(fixture);

public sealed class OwnershipTestsOnRedis(RedisGatewayFixture fixture) : OwnershipTests<RedisGatewayFixture>(fixture);
