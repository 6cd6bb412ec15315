using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>
/// One envelope whatever the upstream mode: every body's request_id is the gateway's X-Request-Id, a success says
/// "success", the upstream's own id is in X-Upstream-Request-Id and the completion event, one JSON content type.
/// </summary>
public abstract class EnvelopeTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [SkippableFact]
    public async Task Submits_queries_replays_long_polls_stored_answers_and_lists_carry_the_gateways_request_id()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var mark = fixture.Upstream.Count;

        using var submit = await SendAsync(client, HttpMethod.Post, Text2VideoPath, "envelope-" + Guid.NewGuid().ToString("N"));
        using var replay = await SendAsync(client, HttpMethod.Post, Text2VideoPath, submit.RequestMessage!.Headers.GetValues("Idempotency-Key").Single());
        var taskId = (string)(await submit.ReadJsonAsync())["data"]!["task_id"]!;
        using var running = await client.GetAsync(Text2VideoPath + "/" + taskId);
        fixture.UpstreamClock.Advance(TimeSpan.FromSeconds(15));
        using var finished = await client.GetAsync(Text2VideoPath + "/" + taskId);
        using var stored = await client.GetAsync(Text2VideoPath + "/" + taskId);
        using var longPoll = await client.GetAsync(Text2VideoPath + "/" + taskId + "?wait=1");
        using var list = await client.GetAsync(Text2VideoPath);

        var received = fixture.Upstream.Since(mark);
        Assert.Equal(3, received.Count);
        await submit.AssertUpstreamAnswerAsync(received[0].ResponseBody);
        await replay.AssertUpstreamAnswerAsync(received[0].ResponseBody);
        await running.AssertUpstreamAnswerAsync(received[1].ResponseBody);
        await finished.AssertUpstreamAnswerAsync(received[2].ResponseBody);
        // Served by the gateway from the stored answer: still this request's id.
        await stored.AssertUpstreamAnswerAsync(received[2].ResponseBody);
        await longPoll.AssertUpstreamAnswerAsync(received[2].ResponseBody);
        Assert.Equal("succeed", (string)(await stored.ReadJsonAsync())["data"]!["task_status"]!);

        var listed = await list.ReadJsonAsync();
        Assert.Equal(list.Headers.GetValues("X-Request-Id").Single(), (string)listed["request_id"]!);
        Assert.Equal("success", (string)listed["message"]!);
        Assert.Equal("application/json; charset=utf-8", list.Content.Headers.ContentType?.ToString());
        // All distinct requests, all distinct ids.
        Assert.Equal(7, new[] { submit, replay, running, finished, stored, longPoll, list }.Select(r => r.Headers.GetValues("X-Request-Id").Single()).Distinct().Count());
    }

    [SkippableFact]
    public async Task The_upstreams_request_id_is_on_the_completion_event_and_errors_use_the_same_content_type()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var mark = fixture.Upstream.Count;

        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var invalid = await client.PostAsync(Text2VideoPath, Json("""{"model":"kling-v1","prompt":"p","cfg_scale":120}"""));
        using var unknown = await client.GetAsync(Text2VideoPath + "/123456789");

        var upstreamRequestId = (string)System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(fixture.Upstream.Since(mark)).ResponseBody)!["request_id"]!;
        var gatewayRequestId = submit.Headers.GetValues("X-Request-Id").Single();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(fixture.Gateway.Logs.Events.Any(e =>
            e.Properties.TryGetValue("ClientRequestId", out var id) && id.ToString() == $"\"{gatewayRequestId}\""
            && e.Properties.TryGetValue("UpstreamRequestId", out var upstreamId) && upstreamId.ToString() == $"\"{upstreamRequestId}\""))),
            "no completion event with the upstream's request id");
        foreach (var error in new[] { invalid, unknown })
        {
            await error.AssertKlingErrorAsync(error.StatusCode, (int)(await error.ReadJsonAsync())["code"]!);
            Assert.Equal("application/json; charset=utf-8", error.Content.Headers.ContentType?.ToString());
            Assert.False(error.Headers.Contains("X-Upstream-Request-Id"));
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string idempotencyKey)
    {
        var request = new HttpRequestMessage(method, path) { Content = Json(ValidSubmit) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }
}

public sealed class EnvelopeTestsOnAggregator(GatewayFixture fixture) : EnvelopeTests<GatewayFixture>(fixture);

public sealed class EnvelopeTestsOnOfficialApi(OfficialGatewayFixture fixture) : EnvelopeTests<OfficialGatewayFixture>(fixture);
