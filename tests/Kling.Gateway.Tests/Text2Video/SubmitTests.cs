using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

public abstract class SubmitTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [Fact]
    public async Task Valid_submit_reaches_the_upstream_enriched_with_the_upstream_key_and_no_tenant_key()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(fixture.Upstream.Since(mark));
        Assert.Equal("POST", forwarded.Method);
        Assert.Equal(fixture.UpstreamPath(Text2VideoPath), forwarded.PathAndQuery);
        // The simulator answered 200, so it accepted the credential: the aggregator key, or a JWT it verified.
        Assert.StartsWith("Bearer ", forwarded.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(200, forwarded.ResponseStatus);
        Assert.DoesNotContain(forwarded.Headers, h => h.Value.Contains(TestKeys.TenantA, StringComparison.Ordinal));
        Assert.StartsWith("application/json", forwarded.Header("Content-Type"), StringComparison.Ordinal);

        var body = forwarded.JsonBody;
        Assert.Equal("kling-v1", (string)body[fixture.ModelField]!);
        Assert.Equal(fixture.IsOfficial, body["model"] is null);
        Assert.Equal("A deer running in the forest", (string)body["prompt"]!);
        Assert.Equal(fixture.UpstreamCfgScale(5.0), (double)body["cfg_scale"]!);
        Assert.Equal("std", (string)body["mode"]!);
        Assert.Equal("16:9", (string)body["aspect_ratio"]!);
        Assert.Equal("5", (string)body["duration"]!);

        // The upstream saw an external id the gateway made; the client gets what the upstream answered, task id included,
        // in the gateway's envelope, except that external id: it sent none.
        Assert.Matches("^kg-[0-9a-f]{32}$", (string)body["external_task_id"]!);
        await response.AssertUpstreamAnswerAsync(forwarded.ResponseBody);
        var taskId = (string)(await response.ReadJsonAsync())["data"]!["task_id"]!;
        Assert.False(string.IsNullOrEmpty(taskId));
    }

    [Fact]
    public async Task Given_fields_are_kept_unknown_fields_pass_through_and_a_numeric_duration_becomes_a_string()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        const string submit = """
            {"model":"kling-v2-6","prompt":"Waves at dusk","negative_prompt":"blur","cfg_scale":7.5,"mode":"pro",
             "aspect_ratio":"9:16","duration":10,"sound":"on",
             "external_task_id":"order-42","camera_control":{"type":"simple","config":{"zoom":5}},
             "watermark":{"enabled":false,"position":[1,2]}}
            """;

        using var response = await client.PostAsync(Text2VideoPath, Json(submit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Assert.Single(fixture.Upstream.Since(mark)).JsonBody;
        Assert.Equal("kling-v2-6", (string)body[fixture.ModelField]!);
        Assert.Equal("blur", (string)body["negative_prompt"]!);
        Assert.Equal(fixture.UpstreamCfgScale(7.5), (double)body["cfg_scale"]!, 6);
        Assert.Equal("pro", (string)body["mode"]!);
        Assert.Equal("9:16", (string)body["aspect_ratio"]!);
        Assert.Equal("10", (string)body["duration"]!);
        Assert.Equal("on", (string)body["sound"]!);
        // The tenant's own external_task_id stays the tenant's: upstream it is namespaced, the answer shows it as sent.
        Assert.Matches("^kg-[0-9a-f]{32}$", (string)body["external_task_id"]!);
        Assert.Equal("order-42", (string)(await response.ReadJsonAsync())["data"]!["task_info"]!["external_task_id"]!);
        Assert.Equal("simple", (string)body["camera_control"]!["type"]!);
        Assert.Equal(5.0, (double)body["camera_control"]!["config"]!["zoom"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled":false,"position":[1,2]}"""), body["watermark"]));
    }

    [Fact]
    public async Task A_non_ascii_prompt_is_forwarded_as_utf8_text()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        const string prompt = "一只鹿在森林里奔跑";

        using var response = await client.PostAsync(Text2VideoPath, Json($$"""{"model":"kling-v1","prompt":"{{prompt}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = System.Text.Encoding.UTF8.GetString(Assert.Single(fixture.Upstream.Since(mark)).Body);
        Assert.Contains($"\"prompt\":\"{prompt}\"", forwarded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_request_id_is_echoed_and_forwarded_and_one_is_generated_when_absent()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var withId = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        withId.Headers.Add("X-Request-Id", "client-chosen-id-1");

        using var echoed = await client.SendAsync(withId);
        using var generated = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        var received = fixture.Upstream.Since(mark);
        Assert.Equal(2, received.Count);
        Assert.Equal("client-chosen-id-1", echoed.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-chosen-id-1", received[0].Header("X-Request-Id"));
        var generatedId = generated.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", generatedId);
        Assert.Equal(generatedId, received[1].Header("X-Request-Id"));
    }

    [Fact]
    public async Task W3C_trace_context_continues_the_callers_trace_upstream()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        using var response = await client.SendAsync(request);
        using var untraced = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        var received = fixture.Upstream.Since(mark);
        var continued = received[0].Header("traceparent");
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", continued);
        Assert.DoesNotContain("00f067aa0ba902b7", continued, StringComparison.Ordinal);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", received[1].Header("traceparent"));
    }

    [Theory]
    [InlineData("https://images.example.com/tail.png")]
    [InlineData("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")]
    [InlineData("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQ==")]
    public async Task An_image_tail_url_or_base64_jpeg_or_png_is_forwarded_unchanged(string imageTail)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json($$"""{"model":"kling-v1","prompt":"p","image_tail":"{{imageTail}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(imageTail, (string)Assert.Single(fixture.Upstream.Since(mark)).JsonBody["image_tail"]!);
    }

    [Fact]
    public async Task An_image_tail_of_exactly_10_MB_is_accepted_and_one_byte_more_is_rejected()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var atLimit = await client.PostAsync(Text2VideoPath, Json(SubmitWithPng(10 * 1024 * 1024)));
        using var overLimit = await client.PostAsync(Text2VideoPath, Json(SubmitWithPng(10 * 1024 * 1024 + 1)));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        var message = await overLimit.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.Contains("image_tail", message, StringComparison.Ordinal);
        Assert.Single(fixture.Upstream.Since(mark));
    }

    [Fact]
    public async Task A_body_over_the_size_cap_gets_a_clear_413_and_nothing_is_forwarded()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(SubmitWithPng(13 * 1024 * 1024)));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.RequestEntityTooLarge, 1201);
        Assert.Contains("MiB", message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
    }
}

public sealed class SubmitTestsOnAggregator(GatewayFixture fixture) : SubmitTests<GatewayFixture>(fixture);

public sealed class SubmitTestsOnOfficialApi(OfficialGatewayFixture fixture) : SubmitTests<OfficialGatewayFixture>(fixture);
