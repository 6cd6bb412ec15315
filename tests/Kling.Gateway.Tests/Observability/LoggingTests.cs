using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Serilog.Events;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Observability;

public sealed class LoggingTests
{
    private const string SecretPrompt = "a-prompt-that-must-never-be-logged";

    [Fact]
    public async Task A_full_run_logs_one_completion_event_per_request_and_no_key_prompt_or_image()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var tenant = gateway.CreateClient(TestKeys.TenantA);
        using var hashedTenant = gateway.CreateClient(TestKeys.TenantC);
        using var stranger = gateway.CreateClient("an-unknown-key-00000000000000000000000000");
        using var upstreamKeyUser = gateway.CreateClient(RecordingUpstream.ApiKey);
        var image = SubmitWithPng(4096).Replace("\"prompt\":\"p\"", $"\"prompt\":\"{SecretPrompt}\"", StringComparison.Ordinal);
        var base64Image = image[(image.IndexOf("iVBOR", StringComparison.Ordinal))..][..64];

        using var submitted = await tenant.PostAsync(Text2VideoPath, Json(image));
        var taskId = (string)(await submitted.ReadJsonAsync())["data"]!["task_id"]!;
        (await tenant.GetAsync(Text2VideoPath + "/" + taskId)).Dispose();
        (await hashedTenant.PostAsync(Text2VideoPath, Json($$"""{"model":"kling-v1","prompt":"{{SecretPrompt}}"}"""))).Dispose();
        (await tenant.PostAsync(Text2VideoPath, Json($$"""{"model":"kling-v0","prompt":"{{SecretPrompt}}"}"""))).Dispose();
        (await stranger.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        (await upstreamKeyUser.GetAsync(Text2VideoPath + "/" + taskId)).Dispose();
        upstream.Faults.Current = new FaultSettings(FaultMode.Reset, TimeSpan.Zero);
        (await tenant.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();

        var text = gateway.Logs.AllText;
        Assert.NotEmpty(text);
        foreach (var secret in new[] { TestKeys.TenantA, TestKeys.TenantC, "an-unknown-key", RecordingUpstream.ApiKey, SecretPrompt, base64Image })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var completions = gateway.Logs.Events.Where(e => e.Properties.ContainsKey("StatusCode")).ToList();
        Assert.Equal(7, completions.Count);
        var submit = completions[0];
        Assert.Equal("\"POST\"", submit.Properties["RequestMethod"].ToString());
        Assert.Equal("\"/kling/v1/videos/text2video\"", submit.Properties["RoutePattern"].ToString());
        Assert.Equal("200", submit.Properties["StatusCode"].ToString());
        Assert.Equal("\"tenant-a\"", submit.Properties["TenantId"].ToString());
        Assert.Equal($"\"{taskId}\"", submit.Properties["TaskId"].ToString());
        Assert.Equal("200", submit.Properties["UpstreamStatus"].ToString());
        Assert.Equal(SecretPrompt.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), submit.Properties["PromptLength"].ToString());
        Assert.True(submit.Properties.ContainsKey("Elapsed"));
        Assert.Equal(
            $"\"{submitted.Headers.GetValues("X-Request-Id").Single()}\"",
            submit.Properties["ClientRequestId"].ToString());
        Assert.Equal("\"/kling/v1/videos/text2video/{task_id}\"", completions[1].Properties["RoutePattern"].ToString());
        Assert.Equal($"\"{taskId}\"", completions[1].Properties["TaskId"].ToString());
        Assert.Equal("\"tenant-c\"", completions[2].Properties["TenantId"].ToString());
        Assert.Equal(LogEventLevel.Warning, completions[6].Level);
        Assert.All(gateway.Logs.Events, e => Assert.True(e.Properties.ContainsKey("ClientRequestId") || !e.Properties.ContainsKey("RequestPath")));
    }

    [Fact]
    public async Task Every_refusal_logs_its_kling_code_a_reason_and_the_route_it_was_aimed_at_and_is_counted_under_that_route()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var tenant = gateway.CreateClient(TestKeys.TenantA);
        using var anonymous = gateway.CreateClient(key: null);
        using var scraper = gateway.CreateMetricsClient();
        var taskId = await SubmitAsync(tenant);
        var forwarded = upstream.Count;

        (await anonymous.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        (await tenant.PostAsync(Text2VideoPath, new StringContent(ValidSubmit, System.Text.Encoding.UTF8, "text/plain"))).Dispose();
        (await tenant.PostAsync(Text2VideoPath, new ByteArrayContent(new byte[(16 * 1024 * 1024) + 1]) { Headers = { ContentType = new("application/json") } })).Dispose();
        (await tenant.DeleteAsync(Text2VideoPath + "/" + taskId)).Dispose();
        (await tenant.PostAsync(Text2VideoPath, Json("""{"model":"kling-v0","prompt":"p"}"""))).Dispose();
        Assert.Equal(forwarded, upstream.Count);
        upstream.Faults.Current = new FaultSettings(FaultMode.ConcurrencyLimit, TimeSpan.Zero);
        (await tenant.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        // The completion event and the counter follow the answer: wait for the last one.
        List<Serilog.Events.LogEvent> Refusals() =>
            [.. gateway.Logs.Events.Where(e => e.Properties.ContainsKey("StatusCode") && e.Properties["StatusCode"].ToString() != "200")];
        Assert.True(await Eventually.TrueAsync(() => Refusals().Count == 6), string.Join("\n", Refusals()));
        var metrics = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            metrics = await scraper.GetStringAsync("/metrics");
            return metrics.Contains("kling_gateway_requests_total{route=\"/kling/v1/videos/text2video\",status=\"429\"", StringComparison.Ordinal);
        }), metrics);

        var refusals = Refusals();
        const string submit = "\"/kling/v1/videos/text2video\"";
        const string query = "\"/kling/v1/videos/text2video/{task_id}\"";
        Assert.Equal(
            [("401", "1001", submit), ("415", "1200", submit), ("413", "1201", submit), ("405", "1201", query), ("400", "1201", submit), ("429", "1303", submit)],
            refusals.Select(e => (e.Properties["StatusCode"].ToString(), e.Properties["KlingCode"].ToString(), e.Properties["RoutePattern"].ToString())));
        Assert.All(refusals, e => Assert.False(string.IsNullOrWhiteSpace(e.Properties["Reason"].ToString().Trim('"'))));
        Assert.Contains("model", refusals[4].Properties["Reason"].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("\"upstream: ", refusals[5].Properties["Reason"].ToString(), StringComparison.Ordinal);
        foreach (var status in new[] { "401", "415", "413", "400", "429" })
        {
            Assert.Contains($"kling_gateway_requests_total{{route=\"/kling/v1/videos/text2video\",status=\"{status}\"", metrics, StringComparison.Ordinal);
        }

        Assert.Contains("kling_gateway_requests_total{route=\"/kling/v1/videos/text2video/{task_id}\",status=\"405\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("(unmatched)", metrics, StringComparison.Ordinal);
    }
}
