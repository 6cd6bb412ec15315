using System.Text.Json.Nodes;
using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>
/// Gives each document its own security scheme, and the official document the official contract's request terms:
/// both surfaces bind one request record, which this document shows with <c>model_name</c> (optional) and cfg_scale 0–1.
/// </summary>
internal sealed class OfficialDocumentFilter : IDocumentFilter
{
    public const string GatewayKeyScheme = "Bearer";
    public const string JwtScheme = "KlingJwt";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var official = context.DocumentName == Text2VideoApi.OfficialGroup;
        var scheme = official ? JwtScheme : GatewayKeyScheme;
        document.Components?.SecuritySchemes?.Remove(official ? GatewayKeyScheme : JwtScheme);
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
        if (!official
            || document.Components?.Schemas?.TryGetValue(nameof(Text2VideoRequest), out var found) != true
            || found is not OpenApiSchema request
            || request.Properties is not { } properties)
        {
            return;
        }

        var contract = Text2VideoContract.Official;
        if (properties.Remove("model", out var model) && model is OpenApiSchema modelSchema)
        {
            modelSchema.Default = JsonValue.Create(contract.DefaultModel);
            modelSchema.Description = "Model to generate with (default kling-v1); the accepted list comes from the gateway's Models configuration.";
            properties[contract.ModelField] = modelSchema;
        }

        request.Required?.Remove("model");
        if (properties.TryGetValue("cfg_scale", out var cfg) && cfg is OpenApiSchema cfgSchema)
        {
            cfgSchema.Maximum = contract.CfgScaleMax.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cfgSchema.Default = JsonValue.Create(contract.CfgScaleDefault);
            cfgSchema.Description = "Prompt adherence, 0.0 to 1.0 (the official scale).";
        }
    }
}
