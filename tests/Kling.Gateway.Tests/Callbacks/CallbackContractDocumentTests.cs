using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Callbacks;

public sealed class CallbackContractDocumentTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_submit_operation_documents_the_webhook_its_headers_payload_and_retries()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var delivery = document["paths"]!["/kling/v1/videos/text2video"]!["post"]!["callbacks"]!["taskUpdated"]!["{$request.body#/callback_url}"]!["post"]!;
        Assert.Equal(["webhook-id", "webhook-timestamp", "webhook-signature"], delivery["parameters"]!.AsArray().Select(p => (string)p!["name"]!));
        var payload = delivery["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal("text2video.task.updated", (string)payload["properties"]!["type"]!["enum"]![0]!);
        Assert.Equal("#/components/schemas/TaskData", (string)payload["properties"]!["data"]!["$ref"]!);
        Assert.Contains("410", delivery["responses"]!.AsObject().Select(r => r.Key));
        Assert.Contains("hourly, for up to 24 h", (string)delivery["description"]!, StringComparison.Ordinal);
        Assert.NotNull(document["paths"]!["/kling/callbacks/{token}"]!["post"]);
    }
}
