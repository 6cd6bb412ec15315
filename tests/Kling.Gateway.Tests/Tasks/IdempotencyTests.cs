using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks;

public abstract class IdempotencyTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [SkippableFact]
    public async Task A_retry_with_the_same_key_gets_the_same_answer_and_the_upstream_sees_one_submit()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var key = Guid.NewGuid().ToString();
        var mark = fixture.Upstream.Count;

        using var first = await SendAsync(client, key, ValidSubmit);
        using var retry = await SendAsync(client, key, ValidSubmit);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.WithoutRequestIdAsync(), await retry.WithoutRequestIdAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Single(fixture.Upstream.Since(mark));
    }

    [SkippableFact]
    public async Task The_same_key_with_another_body_gets_422()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var key = Guid.NewGuid().ToString();
        var mark = fixture.Upstream.Count;

        using var first = await SendAsync(client, key, ValidSubmit);
        using var reused = await SendAsync(client, key, """{"model":"kling-v1","prompt":"something else"}""");

        var message = await reused.AssertKlingErrorAsync(HttpStatusCode.UnprocessableEntity, 1201);
        Assert.Contains("different request body", message, StringComparison.Ordinal);
        Assert.Single(fixture.Upstream.Since(mark));
    }

    [SkippableFact]
    public async Task Keys_of_different_tenants_never_collide()
    {
        using var a = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var b = fixture.Gateway.CreateClient(TestKeys.TenantB);
        var key = Guid.NewGuid().ToString();
        var mark = fixture.Upstream.Count;

        using var fromA = await SendAsync(a, key, ValidSubmit);
        using var fromB = await SendAsync(b, key, ValidSubmit);

        Assert.NotEqual(TaskIdOf(await fromA.ReadJsonAsync()), TaskIdOf(await fromB.ReadJsonAsync()));
        Assert.Equal(2, fixture.Upstream.Since(mark).Count);
    }

    [SkippableFact]
    public async Task External_task_id_makes_a_submit_idempotent_too()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var body = $$"""{"model":"kling-v1","prompt":"p","external_task_id":"{{Guid.NewGuid()}}"}""";
        var mark = fixture.Upstream.Count;

        var first = await SubmitAsync(client, body);
        var retry = await SubmitAsync(client, body);

        Assert.Equal(first, retry);
        Assert.Single(fixture.Upstream.Since(mark));
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("has space")]
    public async Task A_malformed_key_gets_400_and_nothing_is_forwarded(string key)
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var mark = fixture.Upstream.Count;

        using var response = await SendAsync(client, key, ValidSubmit);

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith("Idempotency-Key", message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [SkippableFact]
    public async Task A_failed_submit_is_not_remembered_so_its_retry_goes_through()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(fixture.Kind));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var key = Guid.NewGuid().ToString();
        upstream.Faults.Current = new FaultSettings(FaultMode.ServerError, TimeSpan.Zero);

        using var failed = await SendAsync(client, key, ValidSubmit);
        upstream.Faults.Current = FaultSettings.None;
        using var retried = await SendAsync(client, key, ValidSubmit);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2, upstream.Count);
    }

    [SkippableFact]
    public async Task A_duplicate_arriving_while_the_first_is_in_flight_gets_409()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(fixture.Kind));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var key = Guid.NewGuid().ToString();
        upstream.Faults.Current = new FaultSettings(FaultMode.None, TimeSpan.FromSeconds(2));

        var first = SendAsync(client, key, ValidSubmit);
        Assert.True(await Eventually.TrueAsync(() => upstream.Arrived == 1) && !first.IsCompleted, "the first submit never reached the upstream");
        using var duplicate = await SendAsync(client, key, ValidSubmit);
        using var original = await first;

        await duplicate.AssertKlingErrorAsync(HttpStatusCode.Conflict, 1201);
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal(1, upstream.Count);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private static string TaskIdOf(System.Text.Json.Nodes.JsonObject json) => (string)json["data"]!["task_id"]!;
}

public sealed class IdempotencyTestsOnSqlite(GatewayFixture fixture) : IdempotencyTests<GatewayFixture>(fixture);

public sealed class IdempotencyTestsOnRedis(RedisGatewayFixture fixture) : IdempotencyTests<RedisGatewayFixture>(fixture);
