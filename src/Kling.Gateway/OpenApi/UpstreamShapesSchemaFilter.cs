using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>
/// Opens the schemas of answers the upstream shapes: the gateway passes them on byte for byte (apart from the envelope's
/// <c>message</c> and <c>request_id</c>), so a field Kling adds tomorrow is part of the answer, not a breach of the
/// document. Shapes the gateway writes itself (errors, usage) stay closed.
/// </summary>
internal sealed class UpstreamShapesSchemaFilter : ISchemaFilter
{
    private static readonly HashSet<Type> UpstreamShaped =
    [
        typeof(Text2VideoResponse), typeof(Text2VideoListResponse), typeof(TaskData), typeof(TaskInfo), typeof(WatermarkInfo),
        typeof(TaskResult), typeof(VideoResult),
    ];

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (UpstreamShaped.Contains(context.Type) && schema is OpenApiSchema concrete)
        {
            concrete.AdditionalPropertiesAllowed = true;
            concrete.AdditionalProperties = null;
        }
    }
}
