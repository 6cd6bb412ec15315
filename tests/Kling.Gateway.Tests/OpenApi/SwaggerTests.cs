using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.OpenApi;

public sealed class SwaggerTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_document_describes_every_operation_its_parameters_and_errors_and_the_bearer_scheme()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var submit = document["paths"]!["/kling/v1/videos/text2video"]!["post"]!;
        var query = document["paths"]!["/kling/v1/videos/text2video/{task_id}"]!["get"]!;
        Assert.Equal("#/components/schemas/Text2VideoRequest", (string)submit["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        foreach (var status in new[] { "200", "400", "401", "409", "413", "422", "429", "503", "504" })
        {
            Assert.NotNull(submit["responses"]![status]);
        }

        Assert.Contains(submit["parameters"]!.AsArray(), p => (string)p!["name"]! == "Idempotency-Key" && (string)p["in"]! == "header");
        var list = document["paths"]!["/kling/v1/videos/text2video"]!["get"]!;
        Assert.Equal(["pageNum", "pageSize"], list["parameters"]!.AsArray().Select(p => (string)p!["name"]!));

        foreach (var status in new[] { "200", "400", "401", "404", "429", "503", "504" })
        {
            Assert.NotNull(query["responses"]![status]);
        }

        var bearer = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", (string)bearer["type"]!);
        Assert.Equal("bearer", (string)bearer["scheme"]!);
        Assert.NotNull(document["security"]![0]!["Bearer"]);
    }

    [Fact]
    public async Task The_request_schema_has_the_contracts_enums_defaults_and_limits()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        var schemas = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!["components"]!["schemas"]!;

        var request = schemas["Text2VideoRequest"]!["properties"]!;
        Assert.Equal(["model", "prompt"], schemas["Text2VideoRequest"]!["required"]!.AsArray().Select(n => (string)n!));
        Assert.Contains("kling-v2-5-turbo", request["model"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(2500, (int)request["prompt"]!["maxLength"]!);
        Assert.Equal(5.0, (double)request["cfg_scale"]!["default"]!);
        Assert.Equal(100.0, (double)request["cfg_scale"]!["maximum"]!);
        Assert.Equal(["std", "pro"], schemas["VideoMode"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["16:9", "9:16", "1:1"], schemas["AspectRatio"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["5", "10"], schemas["VideoDuration"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("string", (string)request["image_tail"]!["type"]!);
        Assert.Equal("number", (string)request["cfg_scale"]!["type"]!);
        Assert.NotNull(request["camera_control"]);
        Assert.NotNull(request["sound"]);
    }

    [Fact]
    public async Task The_official_surface_is_its_own_document_with_a_JWT_scheme_and_the_official_request_terms()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        var official = JsonNode.Parse(await client.GetStringAsync("/swagger/official/swagger.json"))!;
        var gateway = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        Assert.Equal(
            ["/v1/videos/text2video", "/v1/videos/text2video/{task_id}"],
            official["paths"]!.AsObject().Select(p => p.Key).Order());
        Assert.DoesNotContain(gateway["paths"]!.AsObject(), p => p.Key.StartsWith("/v1/", StringComparison.Ordinal));
        var jwt = official["components"]!["securitySchemes"]!.AsObject().Single();
        Assert.Equal("KlingJwt", jwt.Key);
        Assert.Equal("bearer", (string)jwt.Value!["scheme"]!);
        Assert.Equal("JWT", (string)jwt.Value!["bearerFormat"]!);
        Assert.NotNull(official["security"]![0]!["KlingJwt"]);
        Assert.Equal("Bearer", gateway["components"]!["securitySchemes"]!.AsObject().Single().Key);
        Assert.Contains(official["paths"]!["/v1/videos/text2video"]!["post"]!["parameters"]!.AsArray(), p => (string)p!["name"]! == "Idempotency-Key");

        var request = official["components"]!["schemas"]!["Text2VideoRequest"]!;
        Assert.Equal(["prompt"], request["required"]!.AsArray().Select(n => (string)n!));
        Assert.Null(request["properties"]!["model"]);
        Assert.Equal("kling-v1", (string)request["properties"]!["model_name"]!["default"]!);
        Assert.Contains("kling-v2-master", request["properties"]!["model_name"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(1.0, (double)request["properties"]!["cfg_scale"]!["maximum"]!);
        Assert.Equal(0.5, (double)request["properties"]!["cfg_scale"]!["default"]!);
    }

    [Fact]
    public async Task Swagger_UI_is_served_at_swagger()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        using var response = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swagger_can_be_turned_off()
    {
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress, new Dictionary<string, string?> { ["Swagger:Enabled"] = "false" });
        using var client = gateway.CreateClient(key: null);

        using var document = await client.GetAsync("/swagger/v1/swagger.json");
        using var ui = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
    }
}
