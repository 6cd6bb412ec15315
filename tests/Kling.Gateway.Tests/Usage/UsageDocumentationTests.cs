using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Usage;

public sealed class UsageDocumentationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_usage_endpoint_and_its_answer_are_in_the_OpenAPI_document()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var usage = document["paths"]!["/kling/v1/usage"]!["get"]!;
        Assert.Equal("GetUsage", (string)usage["operationId"]!);
        foreach (var status in new[] { "200", "401", "429", "503" })
        {
            Assert.NotNull(usage["responses"]![status]);
        }

        var period = document["components"]!["schemas"]!["UsagePeriod"]!["properties"]!.AsObject();
        Assert.Equal(["period", "used", "reserved", "budget", "remaining", "resets_at", "by_model"], period.Select(p => p.Key));
        Assert.Contains("1102", (string)usage["description"]!, StringComparison.Ordinal);
    }
}
