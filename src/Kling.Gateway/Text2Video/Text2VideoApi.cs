using Kling.Gateway.Errors;
using Kling.Gateway.Upstream;
using Microsoft.AspNetCore.Mvc;
using Serilog;

namespace Kling.Gateway.Text2Video;

/// <summary>The public contract: submit a text-to-video task and query it.</summary>
internal static class Text2VideoApi
{
    public const string Path = "/kling/v1/videos/text2video";

    public static IHostApplicationBuilder AddText2Video(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ModelsOptions>().Bind(builder.Configuration)
            .Validate(o => o.Models.Count > 0 && o.Models.TrueForAll(m => !string.IsNullOrWhiteSpace(m)), "Models must list at least one model name")
            .ValidateOnStart();
        builder.Services.AddSingleton<Text2VideoRules>();
        return builder;
    }

    public static IEndpointRouteBuilder MapText2Video(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/kling/v1/videos").RequireAuthorization().WithTags("Text to video");

        group.MapPost("/text2video", SubmitAsync)
            .WithName("SubmitText2Video")
            .WithSummary("Submit a text-to-video task")
            .WithDescription("Validates the body (nothing invalid is forwarded), fills in the documented defaults "
                + "(cfg_scale 5.0, mode std, aspect_ratio 16:9, duration \"5\") and forwards it with the gateway's upstream credential. "
                + "Unknown fields are forwarded unchanged.")
            .Accepts<Text2VideoRequest>("application/json")
            .Produces<Text2VideoResponse>(StatusCodes.Status200OK)
            .ProducesKlingErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge);

        group.MapGet("/text2video/{task_id}", QueryAsync)
            .WithName("QueryText2Video")
            .WithSummary("Query a text-to-video task")
            .WithDescription("Returns the task's status and, once it succeeded, its videos, exactly as the upstream reports them.")
            .Produces<Text2VideoResponse>(StatusCodes.Status200OK)
            .ProducesKlingErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        return endpoints;
    }

    private static async Task SubmitAsync(HttpContext context, Text2VideoRules rules, UpstreamForwarder upstream, IDiagnosticContext diagnostics)
    {
        var (body, error) = await SubmitBody.ReadAsync(context.Request, rules);
        if (body is null)
        {
            await error!.ExecuteAsync(context);
            return;
        }

        diagnostics.Set("Model", body.Request.Model);
        diagnostics.Set("PromptLength", body.Request.Prompt!.Length);
        var reply = await upstream.SendAsync(context, Path, body.Forwarded);
        if (reply is null)
        {
            return;
        }

        if (reply.IsSuccess && TaskId.ReadFrom(reply.Body) is { } taskId)
        {
            diagnostics.Set("TaskId", taskId);
        }

        await reply.WriteAsync(context);
    }

    private static async Task QueryAsync(HttpContext context, [FromRoute(Name = "task_id")] string taskId, UpstreamForwarder upstream, IDiagnosticContext diagnostics)
    {
        if (!TaskId.IsPlain(taskId))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, TaskId.Rule);
            return;
        }

        diagnostics.Set("TaskId", taskId);
        var reply = await upstream.SendAsync(context, Path + "/" + Uri.EscapeDataString(taskId), jsonBody: null);
        if (reply is not null)
        {
            await reply.WriteAsync(context);
        }
    }

    /// <summary>Every operation may also answer 401, 429 and the upstream failures, all in the Kling envelope.</summary>
    private static RouteHandlerBuilder ProducesKlingErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Concat([401, 429, 503, 504]))
        {
            builder.Produces<KlingError>(status);
        }

        return builder;
    }
}
