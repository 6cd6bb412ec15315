using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

public sealed class UpstreamFailureTests
{
    [Fact]
    public async Task An_unreachable_upstream_gets_503_5001_without_its_address()
    {
        var upstream = await RecordingUpstream.StartAsync();
        var address = upstream.BaseAddress;
        await using var gateway = new GatewayFactory(address);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        await upstream.DisposeAsync();

        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);

        foreach (var response in new[] { submit, query })
        {
            await response.AssertKlingErrorAsync(HttpStatusCode.ServiceUnavailable, 5001);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_upstream_slower_than_the_timeout_gets_504_5002_at_the_timeout()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Faults.Current = new FaultSettings(FaultMode.None, TimeSpan.FromSeconds(5));
        await using var gateway = new GatewayFactory(upstream.BaseAddress, new Dictionary<string, string?> { ["Upstream:Timeout"] = "00:00:00.500" });
        using var client = gateway.CreateClient(TestKeys.TenantA);

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var elapsed = started.Elapsed;

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.GatewayTimeout, 5002);
        Assert.Contains("0.5 s", message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_connection_reset_by_the_upstream_gets_503_5001()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Faults.Current = new FaultSettings(FaultMode.Reset, TimeSpan.Zero);
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        await response.AssertKlingErrorAsync(HttpStatusCode.ServiceUnavailable, 5001);
    }

    [Theory]
    [InlineData(nameof(FaultMode.ConcurrencyLimit), HttpStatusCode.TooManyRequests, 1303, "parallel task limit exceeded")]
    [InlineData(nameof(FaultMode.RateLimit), HttpStatusCode.TooManyRequests, 1302, "rate limit exceeded")]
    [InlineData(nameof(FaultMode.ServerError), HttpStatusCode.InternalServerError, 5000,
        "the upstream failed to process the request (HTTP 500, code 5000); try again later")]
    public async Task The_upstreams_own_errors_keep_status_and_code_and_4xx_keep_their_message(string fault, HttpStatusCode status, int code, string message)
    {
        var mode = Enum.Parse<FaultMode>(fault);
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Faults.Current = new FaultSettings(mode, TimeSpan.Zero);
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(message, await response.AssertKlingErrorAsync(status, code));
        var upstreamAnswer = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(upstream.Received).ResponseBody)!;
        Assert.Equal((string)upstreamAnswer["request_id"]!, response.Headers.GetValues("X-Upstream-Request-Id").Single());
        if (mode == FaultMode.RateLimit)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }
    }
}
