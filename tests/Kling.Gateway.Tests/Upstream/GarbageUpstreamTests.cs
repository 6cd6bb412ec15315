using System.Text;
using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Gateway.Upstream;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

/// <summary>An upstream that answers something other than a Kling envelope, on a real socket: what the client and the upstream each saw.</summary>
public sealed class GarbageUpstreamTests
{
    public static TheoryData<int, string, string?> NotEnvelopes => new()
    {
        { 200, "<html><body>upstream 10.0.0.7:8443 says hi</body></html>", "text/html" },
        { 200, "", null },
        { 200, """{"data":{"task_id":"1","task_status":"submitted"}}""", "application/json" },
        { 200, """{"code":"0","data":{"task_id":"1","task_status":"submitted"}}""", "application/json" },
        { 200, """{"code":0.5,"data":{"task_id":"1","task_status":"submitted"}}""", "application/json" },
        { 200, """{"code":0,"message":"success","data":{}}""", "application/json" },
        { 200, """{"code":0,"message":"success","data":{"task_id":7,"task_status":"submitted"}}""", "application/json" },
        { 200, """{"code":1201,"message":"odd","data":{"task_id":"1","task_status":"submitted"}}""", "application/json" },
        { 200, """[{"code":0}]""", "application/json" },
        { 200, """{"code":0,"message":"success","data":{"task_id":"1","task_status":"submitted"}""", "application/json" },
        { 302, "", null },
        { 502, "<html>bad gateway at 10.0.0.7:8443 (nginx/1.25)</html>", "text/html" },
        { 404, "Not Found", "text/plain" },
    };

    [Theory]
    [MemberData(nameof(NotEnvelopes))]
    public async Task A_submit_answered_with_anything_but_a_kling_envelope_gets_502_5000_and_nothing_is_recorded(int status, string body, string? contentType)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        upstream.Answer = new ScriptedAnswer(status, body, contentType);
        await using var gateway = new GatewayFactory(upstream.BaseAddress, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "1" });
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var response = await SubmitWithKeyAsync(client, "order-1");

        // The client: the gateway's own error, none of the upstream's bytes.
        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5000);
        Assert.Equal("the upstream's answer was not a valid Kling response; nothing was recorded, try again later", message);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("10.0.0.7", text, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("X-Upstream-Request-Id"));
        // The upstream: exactly the one submit.
        Assert.Equal("POST", Assert.Single(upstream.Received).Method);

        // Nothing recorded: no task in the list, the only slot free, the idempotency key unused.
        using var list = await client.GetAsync(Text2VideoPath);
        Assert.Empty((await list.ReadJsonAsync())["data"]!.AsArray());
        upstream.Answer = ScriptedAnswer.Submitted("100000000000000002");
        using var retry = await SubmitWithKeyAsync(client, "order-1");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, upstream.Received.Count);
    }

    [Theory]
    [InlineData(200, "not json at all")]
    [InlineData(200, """{"code":0,"message":"SUCCEED","data":{"task_id":"100000000000000999","task_status":"succeed"}}""")]
    [InlineData(200, """{"code":0,"message":"success","data":{"task_status":"succeed"}}""")]
    [InlineData(503, "<html>maintenance</html>")]
    public async Task A_query_answered_with_garbage_or_another_tasks_data_gets_502_5000_and_the_stored_task_is_unchanged(int status, string body)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        upstream.Answer = new ScriptedAnswer(status, body);

        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);

        await query.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5000);
        var received = upstream.Received;
        Assert.Equal(2, received.Count);
        Assert.Equal("/kling/v1/videos/text2video/" + taskId, received[1].PathAndQuery);
        var task = await OnlyListedTaskAsync(client);
        Assert.Equal(taskId, (string)task["task_id"]!);
        Assert.Equal("submitted", (string)task["task_status"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_submit_answer_of_exactly_the_largest_size_is_accepted_and_one_byte_more_gets_502_5000_with_nothing_recorded(bool withLength)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        upstream.Answer = SubmittedOfSize("100000000000000001", UpstreamAnswer.MaxBytes, withLength);
        using var atTheEdge = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        upstream.Answer = SubmittedOfSize("100000000000000002", UpstreamAnswer.MaxBytes + 1, withLength);
        using var pastTheEdge = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        // The client: the task at the edge; past it, the gateway's own error.
        Assert.Equal(HttpStatusCode.OK, atTheEdge.StatusCode);
        Assert.Equal("100000000000000001", (string)(await atTheEdge.ReadJsonAsync())["data"]!["task_id"]!);
        var message = await pastTheEdge.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5000);
        Assert.Equal("the upstream's answer was not a valid Kling response; nothing was recorded, try again later", message);
        // The upstream: both submits. The store: only the first task.
        Assert.Equal(2, upstream.Received.Count);
        var task = await OnlyListedTaskAsync(client);
        Assert.Equal("100000000000000001", (string)task["task_id"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_query_answer_one_byte_past_the_largest_size_gets_502_5000_and_the_stored_task_is_unchanged(bool withLength)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var finished = ScriptedAnswer.Submitted(taskId);
        upstream.Answer = OfSize(finished with { Body = finished.Body.Replace("submitted", "succeed", StringComparison.Ordinal) }, UpstreamAnswer.MaxBytes + 1, withLength);

        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);

        await query.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5000);
        Assert.Equal(2, upstream.Received.Count);
        Assert.Equal("submitted", (string)(await OnlyListedTaskAsync(client))["task_status"]!);
    }

    /// <summary>The tenant's task list, which must hold exactly one task.</summary>
    private static async Task<JsonNode> OnlyListedTaskAsync(HttpClient client)
    {
        using var list = await client.GetAsync(Text2VideoPath);
        return Assert.Single((await list.ReadJsonAsync())["data"]!.AsArray())!;
    }

    private static ScriptedAnswer SubmittedOfSize(string taskId, int size, bool withLength) => OfSize(ScriptedAnswer.Submitted(taskId), size, withLength);

    /// <summary>The answer padded with spaces (still the same JSON) to exactly <paramref name="size"/> bytes.</summary>
    private static ScriptedAnswer OfSize(ScriptedAnswer answer, int size, bool withLength) =>
        answer with { Body = answer.Body + new string(' ', size - Encoding.UTF8.GetByteCount(answer.Body)), WithLength = withLength };

    [Fact]
    public async Task An_upstream_4xx_envelope_keeps_its_code_and_message_trimmed_to_500_characters_and_nothing_else()
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        var longMessage = "prompt rejected: " + new string('x', 600);
        upstream.Answer = new ScriptedAnswer(400,
            $$$"""{"code":1301,"message":"{{{longMessage}}}","request_id":"upstream-rejection-7","data":{"internal":"db-internal-3"}}""");
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1301);
        Assert.Equal(longMessage[..500], message);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["code", "message", "request_id"], body.Select(p => p.Key));
        Assert.Equal("upstream-rejection-7", response.Headers.GetValues("X-Upstream-Request-Id").Single());
        Assert.Single(upstream.Received);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task An_upstream_5xx_envelope_keeps_its_status_and_code_under_the_gateways_own_message(int status)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        upstream.Answer = new ScriptedAnswer(status,
            """{"code":5000,"message":"NullReferenceException at /srv/kling/worker.py:88 on db-internal-3","request_id":"upstream-failure-9"}""");
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitWithAnswerAsync(client, upstream);
        upstream.Answer = upstream.Answer with { Status = status };

        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);

        foreach (var response in new[] { submit, query })
        {
            var message = await response.AssertKlingErrorAsync((HttpStatusCode)status, 5000);
            Assert.Equal($"the upstream failed to process the request (HTTP {status}, code 5000); try again later", message);
            Assert.DoesNotContain("db-internal", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("upstream-failure-9", response.Headers.GetValues("X-Upstream-Request-Id").Single());
        }

        Assert.Equal(3, upstream.Received.Count);
    }

    /// <summary>Submits while the upstream answers with a task, then restores the scripted failure.</summary>
    private static async Task<string> SubmitWithAnswerAsync(HttpClient client, ScriptedUpstream upstream)
    {
        var failure = upstream.Answer;
        upstream.Answer = ScriptedAnswer.Submitted("100000000000000003");
        var taskId = await SubmitAsync(client);
        upstream.Answer = failure;
        return taskId;
    }

    private static Task<HttpResponseMessage> SubmitWithKeyAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
