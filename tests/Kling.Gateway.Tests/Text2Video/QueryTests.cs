using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

public abstract class QueryTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [Fact]
    public async Task A_query_returns_the_upstreams_answer_unchanged_as_the_task_advances_to_succeed()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, """{"model":"kling-v1","prompt":"p","duration":"10"}""");

        var first = await QueryAsync(client, taskId);
        fixture.UpstreamClock.Advance(TimeSpan.FromSeconds(5));
        var second = await QueryAsync(client, taskId);
        fixture.UpstreamClock.Advance(TimeSpan.FromSeconds(10));
        var third = await QueryAsync(client, taskId);

        Assert.Equal("submitted", (string)first["data"]!["task_status"]!);
        Assert.Equal("processing", (string)second["data"]!["task_status"]!);
        Assert.Equal("succeed", (string)third["data"]!["task_status"]!);
        var video = third["data"]!["task_result"]!["videos"]![0]!;
        Assert.EndsWith(".mp4", (string)video["url"]!, StringComparison.Ordinal);
        Assert.Equal("10", (string)video["duration"]!);
    }

    [Fact]
    public async Task An_unknown_task_gets_404_1203_without_an_upstream_call()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var mark = fixture.Upstream.Count;

        using var response = await client.GetAsync(Text2VideoPath + "/123456789");

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal("task not found", message);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Fact]
    public async Task The_client_query_string_is_not_forwarded()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = fixture.Upstream.Count;

        using var response = await client.GetAsync(Text2VideoPath + "/" + taskId + "?debug=1&key=x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fixture.UpstreamPath(Text2VideoPath) + "/" + taskId, Assert.Single(fixture.Upstream.Since(mark)).PathAndQuery);
    }

    [Theory]
    [InlineData("a%2Fb")]
    [InlineData("a%5Cb")]
    [InlineData("...")]
    [InlineData("a%01b")]
    [InlineData("a%20b")]
    [InlineData("a%3Fb")]
    [InlineData("%E4%BB%BB%E5%8A%A1")]
    public async Task A_task_id_that_is_not_a_plain_id_is_rejected_without_reaching_the_upstream(string encodedTaskId)
    {
        await AssertRejectedAsync(encodedTaskId);
    }

    [Fact]
    public async Task A_task_id_over_128_characters_is_invalid_while_128_is_merely_unknown()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var longest = await client.GetAsync(Text2VideoPath + "/" + new string('7', 128));

        await longest.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(mark, fixture.Upstream.Count);
        await AssertRejectedAsync(new string('7', 129));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    public async Task Dot_segments_never_reach_the_upstream(string segment)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseAddress!, Text2VideoPath + "/" + segment)));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    private async Task AssertRejectedAsync(string encodedTaskId)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.GetAsync(Text2VideoPath + "/" + encodedTaskId);

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith("task_id", message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> QueryAsync(HttpClient client, string taskId)
    {
        using var response = await client.GetAsync(Text2VideoPath + "/" + taskId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}

public sealed class QueryTestsOnAggregator(GatewayFixture fixture) : QueryTests<GatewayFixture>(fixture);

public sealed class QueryTestsOnOfficialApi(OfficialGatewayFixture fixture) : QueryTests<OfficialGatewayFixture>(fixture);
