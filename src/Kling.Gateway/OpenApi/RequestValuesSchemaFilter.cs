using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>
/// A submit's fields are optional but never null: the gateway refuses a null where a value is expected (leave the field
/// out to get its default). The request types use nullable properties only to tell "absent" apart.
/// </summary>
internal sealed class RequestValuesSchemaFilter : ISchemaFilter
{
    private static readonly HashSet<Type> RequestTypes = [typeof(Text2VideoRequest), typeof(CameraControl), typeof(CameraConfig)];

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (!RequestTypes.Contains(context.Type) || schema.Properties is null)
        {
            return;
        }

        foreach (var property in schema.Properties.Values.OfType<OpenApiSchema>())
        {
            property.Type &= ~JsonSchemaType.Null;
        }
    }
}
