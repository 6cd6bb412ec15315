using Kling.Gateway.Tenancy;
using Kling.Gateway.Text2Video;
using Microsoft.OpenApi;

namespace Kling.Gateway.OpenApi;

internal static class OpenApiExtensions
{
    private const string DocumentName = "v1";
    private const string SecurityScheme = "Bearer";

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
            options.AddSecurityDefinition(SecurityScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "Your service's gateway key (not a Kling key).",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [],
            });
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, typeof(TenantClaims).Assembly.GetName().Name + ".xml"));
            // image_tail is checked in place and forwarded as sent; to clients it is simply a string.
            options.MapType<ImageTail>(() => new OpenApiSchema { Type = JsonSchemaType.String });
            options.SchemaFilter<ConfiguredModelsSchemaFilter>();
            options.OperationFilter<ContractParametersFilter>();
        });
        return builder;
    }

    /// <summary>Swagger UI at <c>/swagger</c> in every environment, unless <c>Swagger:Enabled</c> is false.</summary>
    public static WebApplication MapOpenApiDocs(this WebApplication app)
    {
        if (app.Configuration.GetValue("Swagger:Enabled", defaultValue: true))
        {
            app.UseSwagger();
            app.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "Kling Gateway " + DocumentName);
                options.DocumentTitle = "Kling Gateway";
            });
        }

        return app;
    }
}
