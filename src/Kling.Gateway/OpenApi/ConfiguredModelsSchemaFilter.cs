using System.Text.Json.Nodes;
using Kling.Gateway.Text2Video;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>Documents <c>model</c> as an enum of the models this gateway is configured to accept.</summary>
internal sealed class ConfiguredModelsSchemaFilter(IOptionsMonitor<ModelsOptions> models) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(Text2VideoRequest) || schema is not OpenApiSchema concrete
            || concrete.Properties?.TryGetValue("model", out var model) != true || model is not OpenApiSchema modelSchema)
        {
            return;
        }

        modelSchema.Enum = [.. models.CurrentValue.Models.Select(name => (JsonNode)JsonValue.Create(name))];
    }
}
