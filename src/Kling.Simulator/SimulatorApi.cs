using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Kling.Simulator;

/// <summary>The simulated Kling text-to-video API (aggregator paths, bearer key).</summary>
internal static class SimulatorApi
{
    public const string Text2VideoPath = "/kling/v1/videos/text2video";
    public const string OfficialText2VideoPath = "/v1/videos/text2video";

    public static IServiceCollection AddKlingSimulator(this IServiceCollection services)
    {
        services.AddOptions<SimulatorOptions>();
        services.AddSingleton<SimulatorFaults>();
        services.AddSingleton<SimulatedAccount>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static IEndpointRouteBuilder MapKlingSimulator(this IEndpointRouteBuilder endpoints)
    {
        var mode = endpoints.ServiceProvider.GetRequiredService<IOptions<SimulatorOptions>>().Value.Mode;
        var api = endpoints.MapGroup(mode == SimulatorMode.Official ? OfficialText2VideoPath : Text2VideoPath)
            .AddEndpointFilter(RequireKeyAndApplyFaults);
        api.MapPost("/", SubmitAsync);
        api.MapGet("/{task_id}", Query);
        endpoints.MapPut("/simulator/faults", (FaultSettings settings, SimulatorFaults faults) =>
        {
            faults.Current = settings;
            return Results.Json(settings);
        }).AddEndpointFilter(RequireKeyAndApplyFaults);
        return endpoints;
    }

    private static async ValueTask<object?> RequireKeyAndApplyFaults(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptionsMonitor<SimulatorOptions>>().CurrentValue;
        var time = services.GetRequiredService<TimeProvider>();
        if (await SimulatorCredentials.CheckAsync(context.Request.Headers.Authorization, options, time.GetUtcNow()) is { } rejected)
        {
            return Error(401, rejected.Code, rejected.Message);
        }

        var isFaultControl = context.Request.Path.StartsWithSegments("/simulator", StringComparison.Ordinal);
        var fault = services.GetRequiredService<SimulatorFaults>().Current;
        if (isFaultControl)
        {
            return await next(invocation);
        }

        if (fault.Latency > TimeSpan.Zero)
        {
            await Task.Delay(fault.Latency, time, context.RequestAborted);
        }

        switch (fault.Mode)
        {
            case FaultMode.RateLimit:
                context.Response.Headers.RetryAfter = "1";
                return Error(429, 1302, "rate limit exceeded");
            case FaultMode.ConcurrencyLimit:
                return Error(429, 1303, "parallel task limit exceeded");
            case FaultMode.ServerError:
                return Error(500, 5000, "server internal error");
            case FaultMode.Reset:
                context.Abort();
                return Results.Empty;
            default:
                return await next(invocation);
        }
    }

    private static async Task<IResult> SubmitAsync(
        HttpRequest request, SimulatedAccount account, SimulatorFaults faults, IOptionsMonitor<SimulatorOptions> options, TimeProvider time)
    {
        var official = options.CurrentValue.Mode == SimulatorMode.Official;
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted)).RootElement;
        }
        catch (JsonException)
        {
            return Error(400, 1200, "request body is not valid JSON");
        }

        // The official API calls the model model_name (and would silently use kling-v1 without it) and takes cfg_scale in [0, 1].
        var modelField = official ? "model_name" : "model";
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty(modelField, out var model) || model.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String)
        {
            return Error(400, 1201, modelField + " and prompt are required strings");
        }

        if (official && body.TryGetProperty("cfg_scale", out var cfg) && (cfg.ValueKind != JsonValueKind.Number || cfg.GetDouble() is < 0 or > 1))
        {
            return Error(400, 1201, "cfg_scale must be a number between 0 and 1");
        }

        var duration = body.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "5";
        var externalId = body.TryGetProperty("external_task_id", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var task = new SimulatedTask(
            Random.Shared.NextInt64(100_000_000_000_000_000, 999_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            time.GetUtcNow(), duration, faults.Current.Mode == FaultMode.FailTasks, externalId);
        if (!account.TryAdd(task))
        {
            // Kling: external_task_id is unique per account.
            return Error(400, 1201, "external_task_id already exists");
        }

        return Success(official, new
        {
            task_id = task.Id,
            task_status = "submitted",
            task_info = new { external_task_id = externalId },
            created_at = task.CreatedAt.ToUnixTimeMilliseconds(),
            updated_at = task.CreatedAt.ToUnixTimeMilliseconds(),
        });
    }

    private static IResult Query(
        string task_id, SimulatedAccount account, IOptionsMonitor<SimulatorOptions> options, SimulatorFaults faults, TimeProvider time)
    {
        // Like Kling: the path names either the task_id or the account's own external_task_id.
        if (!account.TryFind(task_id, out var task))
        {
            return Error(404, 1203, "task not found");
        }

        var settings = options.CurrentValue;
        var finishAfter = faults.Current.FinishAfter ?? settings.FinishAfter;
        var status = task.StatusAt(time.GetUtcNow(), settings, finishAfter);
        var official = settings.Mode == SimulatorMode.Official;
        return Success(official, new
        {
            task_id = task.Id,
            task_status = status,
            task_status_msg = status == "failed" ? "generation failed (simulated)" : null,
            task_info = new { external_task_id = task.ExternalTaskId },
            created_at = task.CreatedAt.ToUnixTimeMilliseconds(),
            updated_at = task.UpdatedAt(status, settings, finishAfter).ToUnixTimeMilliseconds(),
            task_result = status == "succeed"
                ? new { videos = new[] { new { id = task.Id + "-0", url = $"{settings.VideoBaseUrl}/{task.Id}.mp4", duration = task.Duration } } }
                : null,
            // The official API reports the units it charged once a task has finished (failed tasks are not charged).
            final_unit_deduction = !official ? null : status switch
            {
                "succeed" => settings.FinalUnitDeduction,
                "failed" => "0",
                _ => null,
            },
        });
    }

    private static IResult Success(bool official, object data) =>
        Results.Json(new { code = 0, message = official ? "SUCCEED" : "success", request_id = Guid.NewGuid().ToString(), data });

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new { code, message, request_id = Guid.NewGuid().ToString() }, statusCode: status);
}
