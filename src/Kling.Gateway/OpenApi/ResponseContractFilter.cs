using System.Text.Json.Nodes;
using Kling.Gateway.Observability;
using Kling.Gateway.RateLimiting;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.OpenApi;

/// <summary>Documents what every answer carries besides its body: the response headers, and real error examples per status.</summary>
internal sealed class ResponseContractFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var rateLimited = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<TenantRateLimited>().Any();
        var submit = SubmitExampleFilter.IsSubmit(operation);
        var query = context.ApiDescription.RelativePath?.EndsWith("{task_id}", StringComparison.Ordinal) == true;
        foreach (var (statusText, entry) in operation.Responses ?? [])
        {
            if (entry is not OpenApiResponse response || !int.TryParse(statusText, out var status))
            {
                continue;
            }

            var headers = response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            headers[RequestIdMiddleware.HeaderName] = Header(JsonSchemaType.String,
                "This request's id, also the body's request_id; quote it when asking about a request.");
            if (rateLimited && status != StatusCodes.Status401Unauthorized)
            {
                headers["RateLimit-Limit"] = Header(JsonSchemaType.Integer, "Requests of this kind allowed per minute for your tenant.");
                headers["RateLimit-Remaining"] = Header(JsonSchemaType.Integer, "Requests of this kind left in the current window.");
                headers["RateLimit-Reset"] = Header(JsonSchemaType.Integer, "Seconds until the window resets.");
            }

            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                headers["Retry-After"] = Header(JsonSchemaType.Integer, "Seconds to wait before retrying.");
            }

            if (submit || query)
            {
                headers[RequestIdMiddleware.UpstreamHeaderName] = Header(JsonSchemaType.String,
                    "The upstream's own request id, when the upstream answered this request.");
            }

            if (status == StatusCodes.Status200OK && submit)
            {
                headers["Idempotent-Replayed"] = Header(JsonSchemaType.String,
                    "\"true\" when this is the stored answer to an earlier request with the same idempotency key.");
            }

            if (status == StatusCodes.Status200OK && query)
            {
                headers["Age"] = Header(JsonSchemaType.Integer,
                    "Seconds since the gateway last heard about this task from the upstream, when it answered from what it knew.");
            }

            AddErrorExamples(response, status);
        }
    }

    private static void AddErrorExamples(OpenApiResponse response, int status)
    {
        if (response.Content?.TryGetValue("application/json", out var json) != true || json is not OpenApiMediaType media)
        {
            return;
        }

        foreach (var example in ErrorExamples.For(status))
        {
            media.Examples ??= new Dictionary<string, IOpenApiExample>();
            media.Examples[example.Name] = new OpenApiExample
            {
                Summary = $"{example.Code}: {example.Name.Replace('_', ' ')}",
                Value = new JsonObject
                {
                    ["code"] = example.Code,
                    ["message"] = example.Message,
                    ["request_id"] = "0HNH5VJ3LQ8KD:00000001",
                },
            };
        }
    }

    private static OpenApiHeader Header(JsonSchemaType type, string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
