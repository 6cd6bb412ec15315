using System.Text;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

/// <summary>Whatever a tenant sends, the upstream receives exactly the headers the gateway chose.</summary>
public abstract class UpstreamHeadersTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpanId = "b7ad6b7169203331";

    [SkippableFact]
    public async Task A_submit_and_a_query_reach_the_upstream_with_exactly_the_allowed_headers_whatever_the_client_sent()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var submit = await client.SendAsync(Hostile(HttpMethod.Post, Text2VideoPath, Json(ValidSubmit)));
        Assert.True(HttpStatusCode.OK == submit.StatusCode, fixture.Gateway.Logs.AllText);
        var taskId = (string)(await submit.ReadJsonAsync())["data"]!["task_id"]!;
        using var query = await client.SendAsync(Hostile(HttpMethod.Get, Text2VideoPath + "/" + taskId, content: null));
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);

        var received = fixture.Upstream.Since(mark);
        Assert.Equal(2, received.Count);
        var (forwardedSubmit, forwardedQuery) = (received[0], received[1]);
        Assert.Equal(
            ["Accept", "Authorization", "Content-Length", "Content-Type", "Host", "traceparent", "tracestate", "User-Agent", "X-Request-Id"],
            forwardedSubmit.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(
            ["Accept", "Authorization", "Host", "traceparent", "tracestate", "User-Agent", "X-Request-Id"],
            forwardedQuery.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

        foreach (var (forwarded, answer) in new[] { (forwardedSubmit, submit), (forwardedQuery, query) })
        {
            Assert.Equal(fixture.Upstream.BaseAddress.Authority, forwarded.Header("Host"));
            if (fixture.IsOfficial)
            {
                Assert.StartsWith("Bearer ey", forwarded.Header("Authorization"), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("Bearer " + RecordingUpstream.ApiKey, forwarded.Header("Authorization"));
            }

            Assert.Equal("application/json", forwarded.Header("Accept"));
            Assert.Equal("kling-gateway/1.0", forwarded.Header("User-Agent"));
            Assert.Equal(answer.Headers.GetValues("X-Request-Id").Single(), forwarded.Header("X-Request-Id"));
            // The gateway's own span, in the client's trace.
            var traceparent = forwarded.Header("traceparent")!.Split('-');
            Assert.Equal(ClientTraceId, traceparent[1]);
            Assert.NotEqual(ClientSpanId, traceparent[2]);
            Assert.Equal("vendor=opaque", forwarded.Header("tracestate"));
            Assert.DoesNotContain(forwarded.Headers, h => h.Value.Contains("evil", StringComparison.OrdinalIgnoreCase)
                || h.Value.Contains("stolen", StringComparison.Ordinal) || h.Value.Contains(TestKeys.TenantA, StringComparison.Ordinal));
        }

        Assert.Equal("application/json", forwardedSubmit.Header("Content-Type"));
        Assert.Equal(forwardedSubmit.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), forwardedSubmit.Header("Content-Length"));
    }

    /// <summary>A request carrying every header a hostile tenant might hope the upstream (or a front before it) honours.</summary>
    private static HttpRequestMessage Hostile(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = "evil.example.com";
        foreach (var (name, value) in new Dictionary<string, string>
                 {
                     ["X-Forwarded-Host"] = "evil.example.com",
                     ["X-Forwarded-For"] = "203.0.113.66",
                     ["X-Forwarded-Proto"] = "https",
                     ["X-Forwarded-Prefix"] = "/evil",
                     ["Forwarded"] = "for=203.0.113.66;host=evil.example.com;proto=https",
                     ["X-Original-URL"] = "/evil/admin",
                     ["X-Rewrite-URL"] = "/evil/admin",
                     ["X-HTTP-Method-Override"] = "DELETE",
                     ["X-Api-Key"] = "stolen-evil-key",
                     ["Idempotency-Key"] = "evil-" + Guid.NewGuid().ToString("N"),
                     ["Cookie"] = "session=evil",
                     ["User-Agent"] = "evil-agent/6.6",
                     ["Accept"] = "text/evil",
                     ["Accept-Encoding"] = "gzip, br",
                     ["Accept-Language"] = "evil",
                     ["Origin"] = "https://evil.example.com",
                     ["Referer"] = "https://evil.example.com/",
                     ["Via"] = "1.1 evil.example.com",
                     ["X-Real-IP"] = "203.0.113.66",
                     ["Proxy-Authorization"] = "Basic ZXZpbDpldmls",
                     ["X-Evil"] = "evil",
                     ["traceparent"] = $"00-{ClientTraceId}-{ClientSpanId}-01",
                     ["tracestate"] = "vendor=opaque",
                     ["baggage"] = "evil=evil",
                 })
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        content?.Headers.TryAddWithoutValidation("Content-Language", "evil");
        return request;
    }
}

public sealed class UpstreamHeadersTestsOnAggregator(GatewayFixture fixture) : UpstreamHeadersTests<GatewayFixture>(fixture);

public sealed class UpstreamHeadersTestsOnOfficialApi(OfficialGatewayFixture fixture) : UpstreamHeadersTests<OfficialGatewayFixture>(fixture);
