using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.OpenApi;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.OpenApi;

/// <summary>
/// Every test's client checks the gateway's answers against the served document (<see cref="ConformingAnswers"/>);
/// these tests prove that check has teeth, and that the document itself is well-formed.
/// </summary>
public sealed class DocumentTruthTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Every_served_document_parses_without_errors_in_the_OpenAPI_reader()
    {
        using var client = fixture.Gateway.CreateClient(key: null);

        foreach (var name in ServedContract.DocumentNames)
        {
            var text = await client.GetStringAsync($"/swagger/{name}/swagger.json");

            var read = OpenApiDocument.Parse(text, "json");

            Assert.Empty(read.Diagnostic!.Errors);
            Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic.SpecificationVersion);
            Assert.NotEmpty(read.Document!.Paths);
            Assert.Equal("/", Assert.Single(read.Document.Servers!).Url);
        }
    }

    [Fact]
    public async Task A_real_answer_conforms_and_the_same_answer_with_a_field_the_schema_does_not_have_does_not()
    {
        var contract = await ServedAsync();
        using var client = fixture.Gateway.CreateClient(key: null);
        using var refused = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var body = await refused.ReadJsonAsync();

        Assert.Null(contract.Check("POST", Text2VideoPath, 401, "application/json", body.ToJsonString()));
        body["hint"] = "an undocumented field";
        var violation = contract.Check("POST", Text2VideoPath, 401, "application/json", body.ToJsonString());

        Assert.NotNull(violation);
        Assert.Contains("hint", violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_answer_with_an_undocumented_status_value_or_a_missing_task_id_does_not_conform()
    {
        var contract = await ServedAsync();
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var submitted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var body = await submitted.ReadJsonAsync();
        var path = Text2VideoPath + "/" + (string)body["data"]!["task_id"]!;
        Assert.Null(contract.Check("GET", path, 200, "application/json", body.ToJsonString()));

        var unknownStatus = body.DeepClone().AsObject();
        unknownStatus["data"]!["task_status"] = "queued";
        var noTaskId = body.DeepClone().AsObject();
        noTaskId["data"]!.AsObject().Remove("task_id");

        Assert.NotNull(contract.Check("GET", path, 200, "application/json", unknownStatus.ToJsonString()));
        Assert.NotNull(contract.Check("GET", path, 200, "application/json", noTaskId.ToJsonString()));
    }

    [Fact]
    public async Task A_status_the_document_does_not_list_or_a_body_that_is_not_json_does_not_conform()
    {
        var contract = await ServedAsync();
        const string error = """{"code":1201,"message":"prompt is required","request_id":"r"}""";

        Assert.Null(contract.Check("POST", Text2VideoPath, 400, "application/json", error));
        Assert.Contains("does not list", contract.Check("POST", Text2VideoPath, 418, "application/json", error), StringComparison.Ordinal);
        Assert.Contains("text/plain", contract.Check("POST", Text2VideoPath, 400, "text/plain", error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_document_states_headers_ranges_and_real_error_codes()
    {
        using var client = fixture.Gateway.CreateClient(key: null);
        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var submit = document["paths"]![Text2VideoPath]!["post"]!;
        var query = document["paths"]![Text2VideoPath + "/{task_id}"]!["get"]!;
        var list = document["paths"]![Text2VideoPath]!["get"]!;

        Assert.NotNull(submit["responses"]!["200"]!["headers"]!["Idempotent-Replayed"]);
        Assert.NotNull(submit["responses"]!["200"]!["headers"]!["RateLimit-Remaining"]);
        Assert.NotNull(submit["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.NotNull(query["responses"]!["200"]!["headers"]!["Age"]);
        Assert.NotNull(query["responses"]!["404"]!["headers"]!["X-Request-Id"]);
        foreach (var status in new[] { "415", "502", "500" })
        {
            Assert.NotNull(submit["responses"]![status]);
        }

        var examples = submit["responses"]!["429"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal([1302, 1303, 1102], examples.Select(e => (int)e.Value!["value"]!["code"]!));
        var wait = query["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "wait")!;
        Assert.Equal(1, (int)wait["schema"]!["minimum"]!);
        Assert.Equal(60, (int)wait["schema"]!["maximum"]!);
        var pageSize = list["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "pageSize")!;
        Assert.Equal(500, (int)pageSize["schema"]!["maximum"]!);
        Assert.Equal(30, (int)pageSize["schema"]!["default"]!);
    }

    private async Task<ServedContract> ServedAsync()
    {
        using var client = fixture.Gateway.CreateClient(key: null);
        return ServedContract.From([await client.GetStringAsync("/swagger/v1/swagger.json")]);
    }
}
