using Kling.Gateway.Tenancy;
using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;

namespace Kling.Gateway.OpenApi;

internal static class OpenApiExtensions
{
    private const string DocumentName = "v1";

    /// <summary>Where the documents and the UI are served (Swagger UI's default route prefix).</summary>
    private const string SwaggerPath = "/swagger";

    public static IHostApplicationBuilder AddOpenApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "Kling Gateway",
                Version = DocumentName,
                Description = "One shared endpoint for Kling text-to-video. Authenticate with your service's gateway key "
                    + "(Authorize, then Try it out); the gateway validates, fills in defaults and forwards with its own upstream credential.",
            });
            options.SwaggerDoc(Text2VideoApi.OfficialGroup, new OpenApiInfo
            {
                Title = "Kling Gateway: the official Kling API",
                Version = "v1",
                Description = "The official Kling API's text-to-video contract (model_name, cfg_scale 0-1), for existing Kling SDKs: "
                    + "change the SDK's base URL to the gateway and its access key / secret key to your service's own pair. "
                    + "Same tasks, limits and behaviour as the gateway's /kling/v1 contract.",
            });
            // Each document lists its own operations (the official ones are grouped) and its own security scheme.
            options.DocInclusionPredicate((document, api) =>
                document == Text2VideoApi.OfficialGroup ? api.GroupName == Text2VideoApi.OfficialGroup : api.GroupName is null);
            options.AddSecurityDefinition(OfficialDocumentFilter.GatewayKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "Your service's gateway key (not a Kling key), or a JWT signed with your service's access key.",
            });
            options.AddSecurityDefinition(OfficialDocumentFilter.JwtScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An HS256 JWT as the Kling SDKs sign it: iss = your service's access key, exp, nbf; signed with its secret key.",
            });
            options.DocumentFilter<OfficialDocumentFilter>();
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, typeof(TenantClaims).Assembly.GetName().Name + ".xml"));
            // image_tail is checked in place and forwarded as sent; to clients it is simply a string.
            options.MapType<ImageTail>(() => new OpenApiSchema { Type = JsonSchemaType.String });
            // Non-nullable properties are the ones every answer carries: required in the document.
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            options.SchemaFilter<ConfiguredModelsSchemaFilter>();
            options.SchemaFilter<UpstreamShapesSchemaFilter>();
            options.SchemaFilter<RequestValuesSchemaFilter>();
            options.OperationFilter<ContractParametersFilter>();
            options.OperationFilter<SubmitExampleFilter>();
            options.OperationFilter<ResponseContractFilter>();
        });
        return builder;
    }

    /// <summary>Swagger UI at <c>/swagger</c> in every environment, unless <c>Swagger:Enabled</c> is false.</summary>
    public static WebApplication MapOpenApiDocs(this WebApplication app)
    {
        if (app.Configuration.GetValue("Swagger:Enabled", defaultValue: true))
        {
            // Only /swagger requests enter the branch: every API request would otherwise pass both middlewares and their
            // regular expressions on its way to the endpoints.
            app.UseWhen(context => context.Request.Path.StartsWithSegments(SwaggerPath), swagger =>
            {
                swagger.UseSwagger(options =>
                {
                    // OpenAPI 3.1: its schemas are JSON Schema 2020-12, so any JSON Schema validator checks answers against them.
                    options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
                    // Relative to wherever the document was fetched from, behind any proxy or path base.
                    options.PreSerializeFilters.Add((document, request) =>
                        document.Servers = [new OpenApiServer { Url = request.PathBase.HasValue ? request.PathBase.Value : "/" }]);
                });
                swagger.UseSwaggerUI(options =>
                {
                    // The branch above serves only this prefix; the documents' default route template lies under it too.
                    options.RoutePrefix = SwaggerPath.TrimStart('/');
                    options.SwaggerEndpoint($"{SwaggerPath}/{DocumentName}/swagger.json", "Kling Gateway " + DocumentName);
                    options.SwaggerEndpoint($"{SwaggerPath}/{Text2VideoApi.OfficialGroup}/swagger.json", "Official Kling API (SDK drop-in)");
                    options.DocumentTitle = "Kling Gateway";
                });
            });
        }

        return app;
    }
}
