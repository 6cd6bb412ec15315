using System.Security.Cryptography;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tenancy;

/// <summary>Tenants authenticating with HS256 JWTs signed from their own access key / secret key, as Kling SDKs do.</summary>
public sealed class TokenAuthenticationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_token_signed_with_the_tenants_access_key_submits_and_queries_and_never_travels_upstream()
    {
        var token = TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, Now);
        using var client = fixture.Gateway.CreateClient(token);
        var mark = fixture.Upstream.Count;

        var taskId = await SubmitAsync(client);
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);

        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        var received = fixture.Upstream.Since(mark);
        Assert.Equal(2, received.Count);
        Assert.All(received, r => Assert.Equal("Bearer " + RecordingUpstream.ApiKey, r.Header("Authorization")));
        Assert.All(received, r => Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal));
    }

    public static TheoryData<string, string, int, string> RefusedTokens()
    {
        var now = Now;
        var header = TestJwt.KlingHeader;
        var valid = TestJwt.Claims(TestKeys.TenantAAccessKey, exp: now.AddMinutes(30), nbf: now.AddSeconds(-5));
        return new()
        {
            { "expired", TestJwt.Sign(header, TestJwt.Claims(TestKeys.TenantAAccessKey, now.AddHours(-1), now.AddHours(-2)), TestKeys.TenantASecretKey), 1004, "expired" },
            { "not yet valid", TestJwt.Sign(header, TestJwt.Claims(TestKeys.TenantAAccessKey, now.AddHours(2), now.AddHours(1)), TestKeys.TenantASecretKey), 1003, "not valid yet" },
            { "wrong secret", TestJwt.Sign(header, valid, TestKeys.TenantBSecretKey), 1002, "issuer or signature" },
            { "unknown issuer", TestJwt.Sign(header, TestJwt.Claims("nobody-access-key", now.AddMinutes(30), now.AddSeconds(-5)), TestKeys.TenantASecretKey), 1002, "issuer or signature" },
            { "the upstream's own access key", TestJwt.Kling(RecordingUpstream.AccessKey, RecordingUpstream.SecretKey, now), 1002, "issuer or signature" },
            { "alg none", TestJwt.Part("""{"alg":"none","typ":"JWT"}""") + "." + TestJwt.Part(valid) + ".", 1002, "alg must be HS256" },
            { "alg HS512", TestJwt.Sign("""{"alg":"HS512","typ":"JWT"}""", valid, TestKeys.TenantASecretKey, HMACSHA512.HashData), 1002, "alg must be HS256" },
            { "alg hs256", TestJwt.Sign("""{"alg":"hs256","typ":"JWT"}""", valid, TestKeys.TenantASecretKey), 1002, "alg must be HS256" },
            { "no alg", TestJwt.Sign("""{"typ":"JWT"}""", valid, TestKeys.TenantASecretKey), 1002, "alg must be HS256" },
            { "missing exp", TestJwt.Sign(header, TestJwt.Claims(TestKeys.TenantAAccessKey, exp: null, nbf: now.AddSeconds(-5)), TestKeys.TenantASecretKey), 1002, "must carry exp" },
            { "payload altered after signing", TamperedPayload(TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, now)), 1002, "issuer or signature" },
            { "not base64url", "eyJ!!.eyJ.abc", 1002, "not a valid JWT" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Refused_tokens_get_401_with_Klings_code_on_both_surfaces_and_nothing_is_forwarded(string why, string token, int code, string rule)
    {
        using var client = fixture.Gateway.CreateClient(token);
        var mark = fixture.Upstream.Count;

        using var submit = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var query = await client.GetAsync(Text2VideoPath + "/123");
        using var officialSubmit = await client.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""));
        using var officialQuery = await client.GetAsync(OfficialText2VideoPath + "/123");
        using var officialList = await client.GetAsync(OfficialText2VideoPath + "?pageNum=1&pageSize=30");

        foreach (var response in new[] { submit, query, officialSubmit, officialQuery, officialList })
        {
            var message = await response.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, code);
            Assert.True(message.Contains(rule, StringComparison.Ordinal), $"{why}: {message}");
            Assert.DoesNotContain(token, message, StringComparison.Ordinal);
        }

        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Theory]
    [InlineData(Text2VideoPath)]
    [InlineData(OfficialText2VideoPath)]
    public async Task A_token_of_tenant_A_reading_tenant_Bs_task_gets_404_and_the_upstream_is_not_asked(string path)
    {
        using var b = fixture.Gateway.CreateClient(TestJwt.Kling(TestKeys.TenantBAccessKey, TestKeys.TenantBSecretKey, Now));
        using var a = fixture.Gateway.CreateClient(TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, Now));
        var taskOfB = await SubmitAsync(b);
        var mark = fixture.Upstream.Count;

        using var foreign = await a.GetAsync(path + "/" + taskOfB);

        await foreign.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(mark, fixture.Upstream.Count);
        using var own = await b.GetAsync(path + "/" + taskOfB);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Tokens_and_static_keys_of_one_tenant_see_the_same_tasks()
    {
        using var byKey = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var byToken = fixture.Gateway.CreateClient(TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, Now));
        var taskId = await SubmitAsync(byKey);

        using var query = await byToken.GetAsync(Text2VideoPath + "/" + taskId);

        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Equal(taskId, (string)(await query.ReadJsonAsync())["data"]!["task_id"]!);
    }

    [Fact]
    public async Task Not_before_allows_five_seconds_of_skew_and_a_cached_token_stops_at_its_exp()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now.ToUnixTimeSeconds()));
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress, services: services => services.AddSingleton<TimeProvider>(clock));
        var t = clock.GetUtcNow();
        var atSkew = Token(exp: t.AddSeconds(2), nbf: t.AddSeconds(5));
        var pastSkew = Token(exp: t.AddSeconds(60), nbf: t.AddSeconds(6));

        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(gateway, atSkew));
        Assert.Equal(HttpStatusCode.Unauthorized, await QueryListAsync(gateway, pastSkew));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(gateway, pastSkew));
        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(gateway, atSkew));

        // One second later atSkew reaches its exp: the verified token is known, and still refused from then on.
        clock.Advance(TimeSpan.FromSeconds(1));
        using var client = gateway.CreateClient(atSkew);
        using var expired = await client.GetAsync(Text2VideoPath);
        await expired.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1004);
    }

    [Fact]
    public async Task Tokens_up_to_1024_characters_are_checked_and_longer_ones_refused()
    {
        var now = Now;
        var atLimit = PaddedToken(now, 1024);
        var pastLimit = PaddedToken(now, 1025);

        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(fixture.Gateway, atLimit));
        Assert.Equal(HttpStatusCode.Unauthorized, await QueryListAsync(fixture.Gateway, pastLimit));
    }

    [Fact]
    public async Task Removing_an_access_key_stops_its_tokens_at_once_even_verified_ones()
    {
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress);
        var token = TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, Now);
        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(gateway, token));

        var configuration = (IConfigurationRoot)gateway.Services.GetRequiredService<IConfiguration>();
        configuration["Tenants:0:AccessKeys:0:AccessKey"] = "tenant-a-rotated-access-key";
        configuration.Reload();

        Assert.Equal(HttpStatusCode.Unauthorized, await QueryListAsync(gateway, token));
        Assert.Equal(HttpStatusCode.OK, await QueryListAsync(gateway, TestJwt.Kling("tenant-a-rotated-access-key", TestKeys.TenantASecretKey, Now)));
    }

    [Fact]
    public async Task A_tenant_listing_the_upstreams_access_key_does_not_make_upstream_tokens_tenant_tokens()
    {
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress, new Dictionary<string, string?>
        {
            ["Tenants:0:AccessKeys:1:AccessKey"] = RecordingUpstream.AccessKey,
            ["Tenants:0:AccessKeys:1:SecretKey"] = RecordingUpstream.SecretKey,
        });

        using var client = gateway.CreateClient(TestJwt.Kling(RecordingUpstream.AccessKey, RecordingUpstream.SecretKey, Now));
        using var response = await client.GetAsync(Text2VideoPath);

        await response.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1002);
        Assert.Contains(gateway.Logs.Events, e => e.MessageTemplate.Text.Contains("lists the upstream API key or access key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "a-secret-key-that-is-long-enough-0000000", "Tenants:0:AccessKeys:0:AccessKey is required")]
    [InlineData("video-team-ak", "only-31-bytes-of-secret-key-000", "Tenants:0:AccessKeys:0:SecretKey must be at least 32 bytes")]
    public async Task A_bad_access_key_pair_stops_the_process_with_one_line_naming_the_key(string accessKey, string secretKey, string expected)
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__AccessKeys__0__AccessKey"] = accessKey,
            ["Tenants__0__AccessKeys__0__SecretKey"] = secretKey,
        });

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(expected, fatal, StringComparison.Ordinal);
        Assert.DoesNotContain(secretKey, fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_with_only_an_access_key_starts_and_its_32_byte_secret_signs_valid_tokens()
    {
        const string secret = "exactly-32-bytes-of-secret-key-0";
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress, new Dictionary<string, string?>
        {
            ["Tenants:3:Id"] = "sdk-only",
            ["Tenants:3:AccessKeys:0:AccessKey"] = "sdk-only-ak",
            ["Tenants:3:AccessKeys:0:SecretKey"] = secret,
        });
        using var client = gateway.CreateClient(TestJwt.Kling("sdk-only-ak", secret, Now));
        var mark = fixture.Upstream.Count;

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Upstream.Since(mark));
        Assert.DoesNotContain(secret, gateway.Logs.AllText, StringComparison.Ordinal);
    }

    private static string Token(DateTimeOffset exp, DateTimeOffset nbf) =>
        TestJwt.Sign(TestJwt.KlingHeader, TestJwt.Claims(TestKeys.TenantAAccessKey, exp, nbf), TestKeys.TenantASecretKey);

    /// <summary>A valid token of exactly <paramref name="length"/> characters, padded with an extra claim.</summary>
    private static string PaddedToken(DateTimeOffset now, int length)
    {
        for (var pad = 0; pad < length; pad++)
        {
            var claims = System.Text.Json.Nodes.JsonNode.Parse(TestJwt.Claims(TestKeys.TenantAAccessKey, now.AddMinutes(30), now.AddSeconds(-5)))!;
            claims["pad"] = new string('x', pad);
            var token = TestJwt.Sign(TestJwt.KlingHeader, claims.ToJsonString(), TestKeys.TenantASecretKey);
            if (token.Length >= length)
            {
                Assert.Equal(length, token.Length);
                return token;
            }
        }

        throw new InvalidOperationException("unreachable length " + length);
    }

    private static string TamperedPayload(string token)
    {
        var parts = token.Split('.');
        var claims = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])))!;
        claims["iss"] = TestKeys.TenantBAccessKey;
        return parts[0] + "." + TestJwt.Part(claims.ToJsonString()) + "." + parts[2];
    }

    private static async Task<HttpStatusCode> QueryListAsync(GatewayFactory gateway, string token)
    {
        using var client = gateway.CreateClient(token);
        using var response = await client.GetAsync(Text2VideoPath);
        return response.StatusCode;
    }
}
