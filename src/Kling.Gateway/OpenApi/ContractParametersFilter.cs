using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>Documents the parameters the handlers read themselves (so that they can answer in the Kling envelope).</summary>
internal sealed class ContractParametersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        switch (operation.OperationId?.Replace(Text2VideoApi.OfficialOperationSuffix, "", StringComparison.Ordinal))
        {
            case "SubmitText2Video":
                Add(operation, "Idempotency-Key", ParameterLocation.Header, JsonSchemaType.String,
                    "Makes retries safe: the same key within 24 hours returns the first answer instead of creating a second task.");
                break;
            case "QueryText2Video":
                Add(operation, "wait", ParameterLocation.Query, JsonSchemaType.Integer,
                    "Gateway extension (long-poll): hold the answer until the task has finished or this many seconds (1-60) have passed.");
                break;
            case "ListText2Video":
                Add(operation, "pageNum", ParameterLocation.Query, JsonSchemaType.Integer, "Page number, 1-1000 (default 1).");
                Add(operation, "pageSize", ParameterLocation.Query, JsonSchemaType.Integer, "Tasks per page, 1-500 (default 30).");
                break;
        }
    }

    private static void Add(OpenApiOperation operation, string name, ParameterLocation location, JsonSchemaType type, string description)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = location,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = type },
        });
    }
}
