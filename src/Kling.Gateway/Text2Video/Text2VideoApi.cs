using Kling.Gateway.Errors;
using Kling.Gateway.RateLimiting;
using Microsoft.AspNetCore.Mvc;

namespace Kling.Gateway.Text2Video;

/// <summary>The public contract: submit a text-to-video task, query it, list your own tasks.</summary>
internal static class Text2VideoApi
{
    /// <summary>The OpenAPI group (document) of the official surface.</summary>
    public const string OfficialGroup = "official";

    /// <summary>The official surface's operations are the same ones, named with this suffix.</summary>
    public const string OfficialOperationSuffix = "Official";

    public static IHostApplicationBuilder AddText2Video(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ModelsOptions>().Bind(builder.Configuration)
            .Validate(o => o.Models.Count > 0 && o.Models.TrueForAll(m => !string.IsNullOrWhiteSpace(m)), "Models must list at least one model name")
            .ValidateOnStart();
        builder.Services.AddSingleton<Text2VideoRules>();
        builder.Services.AddSingleton<SubmitFlow>();
        builder.Services.AddSingleton<QueryFlow>();
        return builder;
    }

    /// <summary>The public contract under <c>/kling/v1</c> and the official Kling API's under <c>/v1</c>: the same pipeline and tasks.</summary>
    public static IEndpointRouteBuilder MapText2Video(this IEndpointRouteBuilder endpoints)
    {
        MapContract(endpoints, "/kling/v1/videos", Text2VideoContract.Aggregator, "", "Text to video",
            "cfg_scale 5.0, mode std, aspect_ratio 16:9, duration \"5\"");
        MapContract(endpoints, "/v1/videos", Text2VideoContract.Official, OfficialOperationSuffix, "Text to video (official Kling API)",
            "model_name kling-v1, cfg_scale 0.5, mode std, aspect_ratio 16:9, duration \"5\"")
            .WithGroupName(OfficialGroup);
        return endpoints;
    }

    private static RouteGroupBuilder MapContract(
        IEndpointRouteBuilder endpoints, string prefix, Text2VideoContract contract, string nameSuffix, string tag, string defaults)
    {
        var group = endpoints.MapGroup(prefix).RequireAuthorization().WithTags(tag);

        group.MapPost("/text2video", (HttpContext context, SubmitFlow flow) => flow.HandleAsync(context, contract))
            .RequireTenantRateLimit(RatePolicy.Submit)
            .WithName("SubmitText2Video" + nameSuffix)
            .WithSummary("Submit a text-to-video task")
            .WithDescription("Validates the body (nothing invalid is forwarded), fills in the documented defaults "
                + $"({defaults}) and forwards it with the gateway's upstream credential. "
                + "Unknown fields are forwarded unchanged. With an `Idempotency-Key` header (or an `external_task_id`), a retry within "
                + "24 hours gets the first answer again (header `Idempotent-Replayed: true`) instead of a second task; the same key with "
                + "another body gets 422, and a retry while the first is still in flight gets 409. A 503 with `Retry-After` after the upstream "
                + "created the task means the gateway is still recording it: retry with the same key to get it (never a second task). "
                + "`external_task_id` goes upstream namespaced per tenant and every answer shows the value you sent.")
            .Accepts<Text2VideoRequest>("application/json")
            .Produces<Text2VideoResponse>(StatusCodes.Status200OK)
            .ProducesKlingErrors(StatusCodes.Status400BadRequest, StatusCodes.Status408RequestTimeout, StatusCodes.Status409Conflict,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity,
                StatusCodes.Status502BadGateway, StatusCodes.Status504GatewayTimeout);

        group.MapGet("/text2video/{task_id}", (HttpContext context, [FromRoute(Name = "task_id")] string taskId, QueryFlow flow) =>
                flow.QueryAsync(context, taskId))
            .RequireTenantRateLimit(RatePolicy.Query)
            .WithName("QueryText2Video" + nameSuffix)
            .WithSummary("Query a text-to-video task")
            .WithDescription("Returns the task's status and, once it succeeded, its videos, as the upstream reports them. "
                + "The id may also be your own `external_task_id`. "
                + "Only the tenant that submitted a task can see it; any other id gets 404 code 1203. "
                + "A finished task is answered by the gateway itself from then on; an answer younger than the minimum poll interval "
                + "(2 s by default) is served again, with an `Age` header, instead of asking the upstream; concurrent polls of one task "
                + "share one upstream call. Extension: `?wait=N` (1-60) holds the answer until the task has finished or N seconds "
                + "have passed, then answers with the current state in the normal shape.")
            .Produces<Text2VideoResponse>(StatusCodes.Status200OK)
            .ProducesKlingErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status502BadGateway,
                StatusCodes.Status504GatewayTimeout);

        group.MapGet("/text2video", (HttpContext context, QueryFlow flow) => flow.ListAsync(context))
            .RequireTenantRateLimit(RatePolicy.Query)
            .WithName("ListText2Video" + nameSuffix)
            .WithSummary("List your text-to-video tasks")
            .WithDescription("The calling tenant's tasks, newest first, each as the upstream last described it. "
                + "Query parameters `pageNum` (1-1000, default 1) and `pageSize` (1-500, default 30).")
            .Produces<Text2VideoListResponse>(StatusCodes.Status200OK)
            .ProducesKlingErrors(StatusCodes.Status400BadRequest);

        return group;
    }

    /// <summary>Every operation may also answer 401, 429, 500 and 503, all in the Kling envelope.</summary>
    private static RouteHandlerBuilder ProducesKlingErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Concat([401, 429, 500, 503]))
        {
            builder.Produces<KlingError>(status);
        }

        return builder;
    }
}
