using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Simulator;

/// <summary>The simulator is only useful if it behaves like Kling: these pin the behaviour the gateway's tests rely on.</summary>
public sealed class SimulatorTests
{
    [Theory]
    [InlineData(null, 1001)]
    [InlineData("Bearer wrong", 1002)]
    public async Task It_checks_its_bearer_key(string? authorization, int code)
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (int)(await response.ReadJsonAsync())["code"]!);
    }

    [Fact]
    public async Task Tasks_advance_on_its_clock_and_can_be_told_to_fail_over_http()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", RecordingUpstream.ApiKey);

        using var told = await client.PutAsync("/simulator/faults", Json("""{"mode":"fail_tasks","latency":"00:00:00"}"""));
        var taskId = (string)(await (await client.PostAsync(Text2VideoPath, Json(ValidSubmit))).ReadJsonAsync())["data"]!["task_id"]!;
        var submitted = await StatusAsync(client, taskId);
        clock.Advance(TimeSpan.FromSeconds(3));
        var processing = await StatusAsync(client, taskId);
        clock.Advance(TimeSpan.FromSeconds(10));
        var failed = await StatusAsync(client, taskId);

        Assert.Equal(HttpStatusCode.OK, told.StatusCode);
        Assert.Equal(("submitted", "processing", "failed"), (submitted, processing, failed));
    }

    [Fact]
    public async Task It_can_be_told_to_finish_every_task_now()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", RecordingUpstream.ApiKey);
        var taskId = (string)(await (await client.PostAsync(Text2VideoPath, Json(ValidSubmit))).ReadJsonAsync())["data"]!["task_id"]!;
        var before = await StatusAsync(client, taskId);

        using var told = await client.PutAsync("/simulator/faults", Json("""{"mode":"none","latency":"00:00:00","finish_after":"00:00:00"}"""));
        var after = await StatusAsync(client, taskId);

        Assert.Equal(("submitted", "succeed"), (before, after));
    }

    [Fact]
    public async Task It_rejects_a_submit_without_model_or_prompt()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", RecordingUpstream.ApiKey);

        using var response = await client.PostAsync(Text2VideoPath, Json("""{"prompt":"p"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1201, (int)(await response.ReadJsonAsync())["code"]!);
    }

    private static async Task<string> StatusAsync(HttpClient client, string taskId) =>
        (string)(await (await client.GetAsync(Text2VideoPath + "/" + taskId)).ReadJsonAsync())["data"]!["task_status"]!;

    [Fact]
    public async Task External_task_ids_are_unique_per_account_and_find_their_task()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        using var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", RecordingUpstream.ApiKey);
        const string Body = """{"model":"kling-v1","prompt":"p","external_task_id":"my-id-1"}""";

        using var first = await client.PostAsync(Text2VideoPath, Json(Body));
        using var duplicate = await client.PostAsync(Text2VideoPath, Json(Body));
        var taskId = (string)(await first.ReadJsonAsync())["data"]!["task_id"]!;
        using var byExternalId = await client.GetAsync(Text2VideoPath + "/my-id-1");

        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal(1201, (int)(await duplicate.ReadJsonAsync())["code"]!);
        var found = await byExternalId.ReadJsonAsync();
        Assert.Equal(taskId, (string)found["data"]!["task_id"]!);
        Assert.Equal("my-id-1", (string)found["data"]!["task_info"]!["external_task_id"]!);
    }
}
