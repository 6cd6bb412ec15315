using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tenancy;

public abstract class AuthenticationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [Theory]
    [InlineData(null, 1001)]
    [InlineData("", 1001)]
    [InlineData("Bearer", 1001)]
    [InlineData("Bearer    ", 1001)]
    [InlineData("Basic dGVuYW50OmtleQ==", 1001)]
    [InlineData(TestKeys.TenantA, 1001)]
    [InlineData("Bearer not-a-key-of-anyone-000000000000000000", 1002)]
    [InlineData("Bearer " + TestKeys.TenantA + "x", 1002)]
    [InlineData("Bearer " + RecordingUpstream.ApiKey, 1002)]
    public async Task Bad_credentials_get_401_and_nothing_is_forwarded(string? authorization, int code)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(key: null);

        foreach (var request in new[] { Submit(), new HttpRequestMessage(HttpMethod.Get, Text2VideoPath + "/123") })
        {
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await client.SendAsync(request);

            await response.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, code);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            request.Dispose();
        }

        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Fact]
    public async Task The_error_never_echoes_the_presented_key()
    {
        using var client = fixture.Gateway.CreateClient("wrong-key-that-must-not-be-echoed-1234567");

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("wrong-key-that-must-not-be-echoed", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestKeys.TenantA)]
    [InlineData(TestKeys.TenantB)]
    [InlineData(TestKeys.TenantC)]
    public async Task Plain_and_sha256_configured_keys_authenticate(string key)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(key);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Upstream.Since(mark));
    }

    [Fact]
    public async Task Keys_are_reread_when_configuration_changes()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress);
        using var oldClient = gateway.CreateClient(TestKeys.TenantA);
        const string rotated = "tenant-a-rotated-key-000000000000000000009";
        using var newClient = gateway.CreateClient(rotated);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.PostAsync(Text2VideoPath, Json(ValidSubmit))).StatusCode);

        var configuration = (IConfigurationRoot)gateway.Services.GetRequiredService<IConfiguration>();
        configuration["Tenants:0:ApiKeys:0"] = rotated;
        configuration.Reload();

        using var withOld = await oldClient.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var withNew = await newClient.PostAsync(Text2VideoPath, Json(ValidSubmit));
        await withOld.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1002);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    private static HttpRequestMessage Submit() => new(HttpMethod.Post, Text2VideoPath) { Content = Json(ValidSubmit) };
}

public sealed class AuthenticationTestsOnAggregator(GatewayFixture fixture) : AuthenticationTests<GatewayFixture>(fixture);

public sealed class AuthenticationTestsOnOfficialApi(OfficialGatewayFixture fixture) : AuthenticationTests<OfficialGatewayFixture>(fixture);
