using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Kling.Gateway.Callbacks;

/// <summary>Documents, on the submit operation, the webhook the gateway sends to a task's <c>callback_url</c> (an OpenAPI callback).</summary>
internal sealed class CallbackContractFilter : IOperationFilter
{
    private const string Description =
        "One event per observed status change of the task (processing, succeed, failed), in order, signed per Standard Webhooks: "
        + "webhook-signature holds `v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{raw body}\">` for each of the tenant's "
        + "active secrets (the key is the base64-decoded part of whsec_...). Answer 2xx within 10 s to acknowledge; 410 stops the task's "
        + "callbacks; 429/503 with Retry-After are retried then; anything else (redirects included: they are not followed) is retried after "
        + "about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then hourly, for up to 24 h. Retries keep the webhook-id: de-duplicate on it.";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId != "SubmitText2Video")
        {
            return;
        }

        var payload = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "timestamp", "data" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(CallbackEvents.EventType)] },
                ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the gateway observed the change." },
                ["data"] = new OpenApiSchemaReference("TaskData", context.Document),
            },
        };
        var delivery = new OpenApiOperation
        {
            Summary = "Task status changed (sent by the gateway to your callback_url)",
            Description = Description,
            Parameters =
            [
                Header("webhook-id", "The event's id, the same on every retry."),
                Header("webhook-timestamp", "Unix seconds of this attempt; reject values more than 5 minutes away."),
                Header("webhook-signature", "Space-separated v1,<base64> signatures, one per active secret."),
            ],
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = payload } },
            },
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse { Description = "Any 2xx acknowledges the event." },
                ["410"] = new OpenApiResponse { Description = "Gone: no further events of this task are sent." },
            },
        };
        var callback = new OpenApiCallback();
        callback.AddPathItem(RuntimeExpression.Build("{$request.body#/callback_url}"),
            new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = delivery } });
        operation.Callbacks ??= new Dictionary<string, IOpenApiCallback>();
        operation.Callbacks["taskUpdated"] = callback;
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
