using System.Text.Json.Nodes;
using Kling.Gateway.Text2Video;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>
/// Offers a realistic, valid submit body (with a model this gateway accepts), so that Swagger UI's Try it out → Execute
/// as offered creates a task, instead of an example generated from the schema (placeholder strings, every optional object
/// filled in, <c>additionalProp1</c>…) that the gateway rightly refuses.
/// </summary>
internal sealed class SubmitExampleFilter(IOptionsMonitor<ModelsOptions> models) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!IsSubmit(operation))
        {
            return;
        }

        var contract = context.DocumentName == Text2VideoApi.OfficialGroup ? Text2VideoContract.Official : Text2VideoContract.Aggregator;
        ((OpenApiMediaType)operation.RequestBody!.Content!["application/json"]).Example = new JsonObject
        {
            [contract.ModelField] = models.CurrentValue.Models[0],
            ["prompt"] = "A deer running in the forest",
            ["negative_prompt"] = "blurry, low quality",
            ["cfg_scale"] = contract.CfgScaleDefault,
            ["mode"] = "std",
            ["aspect_ratio"] = "16:9",
            ["duration"] = "5",
        };
    }

    /// <summary>Whether the operation takes a text-to-video task as its body.</summary>
    public static bool IsSubmit(OpenApiOperation operation) =>
        operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true
        && json is OpenApiMediaType { Schema: OpenApiSchemaReference { Reference.Id: nameof(Text2VideoRequest) } };
}
