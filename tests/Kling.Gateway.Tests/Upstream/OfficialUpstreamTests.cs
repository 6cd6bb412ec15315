using System.Text;
using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

/// <summary>The official Kling API upstream: JWTs from AK/SK, checked by the simulator in official mode.</summary>
public sealed class OfficialUpstreamTests
{
    private static readonly Dictionary<string, string?> Official = new() { ["Upstream:Mode"] = "Official" };

    [Fact]
    public async Task The_jwt_names_the_access_key_lives_30_minutes_and_is_signed_hs256()
    {
        await using var upstream = await RecordingUpstream.StartAsync(options: new SimulatorOptions { Mode = SimulatorMode.Official });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, Official);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        await SubmitAsync(client);

        var (header, payload) = DecodeJwt(Assert.Single(upstream.Received).Header("Authorization")!);
        Assert.Equal("HS256", (string)header["alg"]!);
        Assert.Equal("JWT", (string)header["typ"]!);
        Assert.Equal(RecordingUpstream.AccessKey, (string)payload["iss"]!);
        Assert.Equal(1805, (long)payload["exp"]! - (long)payload["nbf"]!);
        Assert.Equal(200, upstream.Received[0].ResponseStatus);
    }

    [Fact]
    public async Task A_token_is_reused_within_its_life_and_renewed_once_before_it_expires_even_under_100_concurrent_requests()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { Mode = SimulatorMode.Official });
        // No background refresh in the way: every upstream call below is one of the test's.
        var settings = new Dictionary<string, string?>(Official) { ["Tasks:RefreshInterval"] = "01:00:00" };
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateMetricsClient();

        var taskId = await SubmitAsync(client);
        clock.Advance(TimeSpan.FromMinutes(20));
        (await client.GetAsync(Text2VideoPath + "/" + taskId)).Dispose();
        clock.Advance(TimeSpan.FromMinutes(5));
        // Submits, not queries: concurrent queries of one task would share one upstream call.
        var renewals = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.PostAsync(Text2VideoPath, Json(ValidSubmit))));

        var tokens = upstream.Received.Select(r => r.Header("Authorization")).ToList();
        Assert.Equal(102, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.Single(tokens.Skip(2).Distinct());
        Assert.NotEqual(tokens[0], tokens[2]);
        Assert.All(renewals, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Contains("kling_gateway_upstream_token_signings_total 2", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Official", "Upstream:SecretKey", "a-wrong-secret-key-0123456789-abcdefghij")]
    [InlineData("Aggregator", "Upstream:ApiKey", "a-wrong-api-key-0123456789-abcdefghijklm")]
    public async Task Rejected_upstream_credentials_are_502_5001_for_the_client_an_error_in_the_log_and_unready_until_fixed(
        string mode, string credentialKey, string wrongValue)
    {
        await using var upstream = await RecordingUpstream.StartAsync(
            options: new SimulatorOptions { Mode = Enum.Parse<SimulatorMode>(mode) });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, new Dictionary<string, string?>
        {
            ["Upstream:Mode"] = mode,
            [credentialKey] = wrongValue,
        });
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var refused = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var unready = await client.GetAsync("/health/ready");

        var message = await refused.AssertKlingErrorAsync(HttpStatusCode.BadGateway, 5001);
        Assert.Contains("upstream credentials were rejected", message, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(upstream.Received).ResponseStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
        var error = Assert.Single(gateway.Logs.Events, e => e.Level == LogEventLevel.Error && e.MessageTemplate.Text.Contains("rejected the gateway's credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(wrongValue, gateway.Logs.AllText, StringComparison.Ordinal);
        Assert.NotNull(error);

        var configuration = (IConfigurationRoot)gateway.Services.GetRequiredService<IConfiguration>();
        configuration[credentialKey] = credentialKey == "Upstream:SecretKey" ? RecordingUpstream.SecretKey : RecordingUpstream.ApiKey;
        configuration.Reload();
        using var accepted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused_by_the_simulator_with_1004()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { Mode = SimulatorMode.Official });
        // One clock for both: the token's nbf (now - 5 s) must not depend on how long start-up took.
        await using var gateway = new GatewayFactory(upstream.BaseAddress, Official, services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        await SubmitAsync(client);
        var token = upstream.Received[0].Header("Authorization")!;
        using var direct = new HttpClient { BaseAddress = upstream.BaseAddress };

        clock.Advance(TimeSpan.FromMinutes(31));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/videos/text2video") { Content = Json("""{"model_name":"kling-v1","prompt":"p"}""") };
        request.Headers.TryAddWithoutValidation("Authorization", token);
        using var expired = await direct.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(1004, (int)(await expired.ReadJsonAsync())["code"]!);
    }

    private static (JsonObject Header, JsonObject Payload) DecodeJwt(string authorization)
    {
        var parts = authorization["Bearer ".Length..].Split('.');
        Assert.Equal(3, parts.Length);
        return (Decode(parts[0]), Decode(parts[1]));

        static JsonObject Decode(string part)
        {
            var base64 = part.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(base64)))!.AsObject();
        }
    }
}
