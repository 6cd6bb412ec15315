using System.Globalization;
using System.Text.Json.Nodes;
using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>
/// Documents the parameters the handlers read themselves (so that they can answer in the Kling envelope), with the
/// ranges they are validated against (<see cref="QueryParameter"/>).
/// </summary>
internal sealed class ContractParametersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        switch (operation.OperationId?.Replace(Text2VideoApi.OfficialOperationSuffix, "", StringComparison.Ordinal))
        {
            case "SubmitText2Video":
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyKey.HeaderName,
                    In = ParameterLocation.Header,
                    Description = "Makes retries safe: the same key within 24 hours returns the first answer instead of creating a second task.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength },
                });
                break;
            case "QueryText2Video":
                Add(operation, QueryParameter.Wait);
                break;
            case "ListText2Video":
                Add(operation, QueryParameter.PageNum);
                Add(operation, QueryParameter.PageSize);
                break;
        }
    }

    private static void Add(OpenApiOperation operation, QueryParameter parameter)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = parameter.Name,
            In = ParameterLocation.Query,
            Description = parameter.Description,
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Minimum = parameter.Minimum.ToString(CultureInfo.InvariantCulture),
                Maximum = parameter.Maximum.ToString(CultureInfo.InvariantCulture),
                Default = parameter.Default is { } value ? JsonValue.Create(value) : null,
            },
        });
    }
}
