using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks;

/// <summary>
/// Tenants share one upstream account. Against an upstream that replays on <c>Idempotency-Key</c> and keeps
/// <c>external_task_id</c> unique per account, two tenants using the same values must still get tasks of their own.
/// </summary>
public abstract class TenantNamespaceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [SkippableFact]
    public async Task Two_tenants_with_the_same_external_task_id_and_idempotency_key_each_get_their_own_task()
    {
        fixture.Upstream.ReplaysIdempotencyKeys = true;
        using var a = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var b = fixture.Gateway.CreateClient(TestKeys.TenantB);
        var external = "order-" + Guid.NewGuid().ToString("N");
        var key = "pay-" + Guid.NewGuid().ToString("N");
        var body = $$"""{"model":"kling-v1","prompt":"p","external_task_id":"{{external}}"}""";
        var mark = fixture.Upstream.Count;

        using var fromA = await SendAsync(a, body, key);
        using var fromB = await SendAsync(b, body, key);

        Assert.Equal(HttpStatusCode.OK, fromA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        var answerA = await fromA.ReadJsonAsync();
        var answerB = await fromB.ReadJsonAsync();
        var taskA = (string)answerA["data"]!["task_id"]!;
        var taskB = (string)answerB["data"]!["task_id"]!;
        Assert.NotEqual(taskA, taskB);
        Assert.Equal(external, ExternalIdOf(answerA));
        Assert.Equal(external, ExternalIdOf(answerB));

        // The upstream saw two submits, under two different external ids (neither the client's), and no idempotency key.
        var submits = fixture.Upstream.Since(mark);
        Assert.Equal(2, submits.Count);
        var upstreamIds = submits.Select(s => (string)s.JsonBody["external_task_id"]!).ToList();
        Assert.NotEqual(upstreamIds[0], upstreamIds[1]);
        Assert.DoesNotContain(external, upstreamIds);
        Assert.All(submits, s => Assert.Null(s.Header("Idempotency-Key")));

        // Each reads its own task, by task id and by its external_task_id, and sees the value it sent; neither reads the other's.
        foreach (var (client, own, other) in new[] { (a, taskA, taskB), (b, taskB, taskA) })
        {
            using var byId = await client.GetAsync(Text2VideoPath + "/" + own);
            using var byExternal = await client.GetAsync(Text2VideoPath + "/" + external);
            using var foreign = await client.GetAsync(Text2VideoPath + "/" + other);
            using var list = await client.GetAsync(Text2VideoPath);
            var read = await byId.ReadJsonAsync();
            Assert.Equal(own, (string)read["data"]!["task_id"]!);
            Assert.Equal(external, ExternalIdOf(read));
            Assert.Equal(own, (string)(await byExternal.ReadJsonAsync())["data"]!["task_id"]!);
            await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
            var listed = (await list.ReadJsonAsync())["data"]!.AsArray();
            Assert.Equal(external, (string?)listed.Single(t => (string)t!["task_id"]! == own)!["task_info"]!["external_task_id"]);
            Assert.DoesNotContain(listed, t => (string)t!["task_id"]! == other);
        }
    }

    [SkippableFact]
    public async Task Lookup_by_external_task_id_answers_its_owner_and_is_404_for_everyone_else()
    {
        using var a = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var c = fixture.Gateway.CreateClient(TestKeys.TenantC);
        var external = "ext-" + Guid.NewGuid().ToString("N");
        var taskId = await SubmitAsync(a, $$"""{"model":"kling-v1","prompt":"p","external_task_id":"{{external}}"}""");
        var mark = fixture.Upstream.Count;

        using var owner = await a.GetAsync(Text2VideoPath + "/" + external);
        using var stranger = await c.GetAsync(Text2VideoPath + "/" + external);
        using var unknown = await c.GetAsync(Text2VideoPath + "/ext-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        var answer = await owner.ReadJsonAsync();
        Assert.Equal(taskId, (string)answer["data"]!["task_id"]!);
        Assert.Equal(external, ExternalIdOf(answer));
        var strangerMessage = await stranger.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(await unknown.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203), strangerMessage);
        // Only the owner's query reached the upstream, and by the task id.
        var queried = Assert.Single(fixture.Upstream.Since(mark));
        Assert.EndsWith("/" + taskId, queried.PathAndQuery, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_submit_without_external_task_id_goes_upstream_with_one_the_gateway_made_and_shows_none()
    {
        using var a = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var mark = fixture.Upstream.Count;

        using var response = await a.PostAsync(Text2VideoPath, Json(ValidSubmit));

        var answer = await response.ReadJsonAsync();
        Assert.Null(answer["data"]!["task_info"]!["external_task_id"]);
        var made = (string)Assert.Single(fixture.Upstream.Since(mark)).JsonBody["external_task_id"]!;
        Assert.Matches("^kg-[0-9a-f]{32}$", made);
    }

    private static string? ExternalIdOf(JsonObject answer) => (string?)answer["data"]!["task_info"]!["external_task_id"];

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}

public sealed class TenantNamespaceTestsOnSqlite(GatewayFixture fixture) : TenantNamespaceTests<GatewayFixture>(fixture);

public sealed class TenantNamespaceTestsOnRedis(RedisGatewayFixture fixture) : TenantNamespaceTests<RedisGatewayFixture>(fixture);

public sealed class TenantNamespaceTestsOnOfficialApi(OfficialGatewayFixture fixture) : TenantNamespaceTests<OfficialGatewayFixture>(fixture);
