using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Observability;

public sealed class HealthTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy_without_credentials(string path)
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_route_gets_a_json_404_envelope()
    {
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.GetAsync("/kling/v1/videos/image2video");

        await response.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
    }

    [Fact]
    public async Task A_wrong_method_gets_a_json_405_envelope()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.DeleteAsync("/kling/v1/videos/text2video/123");

        await response.AssertKlingErrorAsync(HttpStatusCode.MethodNotAllowed, 1201);
        Assert.Equal(mark, fixture.Upstream.Count);
    }
}
