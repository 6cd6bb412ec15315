using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Kling.Simulator;

/// <summary>The simulated Kling text-to-video API (aggregator paths, bearer key).</summary>
internal static class SimulatorApi
{
    public const string Text2VideoPath = "/kling/v1/videos/text2video";

    public static IServiceCollection AddKlingSimulator(this IServiceCollection services)
    {
        services.AddOptions<SimulatorOptions>();
        services.AddSingleton<SimulatorFaults>();
        services.AddSingleton<ConcurrentDictionary<string, SimulatedTask>>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static IEndpointRouteBuilder MapKlingSimulator(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Text2VideoPath).AddEndpointFilter(RequireKeyAndApplyFaults);
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
        var key = services.GetRequiredService<IOptionsMonitor<SimulatorOptions>>().CurrentValue.ApiKey;
        string? authorization = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization))
        {
            return Error(401, 1001, "Authorization header is missing");
        }

        if (authorization != "Bearer " + key)
        {
            return Error(401, 1002, "Authorization key is invalid");
        }

        var isFaultControl = context.Request.Path.StartsWithSegments("/simulator", StringComparison.Ordinal);
        var fault = services.GetRequiredService<SimulatorFaults>().Current;
        if (isFaultControl)
        {
            return await next(invocation);
        }

        if (fault.Latency > TimeSpan.Zero)
        {
            await Task.Delay(fault.Latency, services.GetRequiredService<TimeProvider>(), context.RequestAborted);
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
        HttpRequest request, ConcurrentDictionary<string, SimulatedTask> tasks, SimulatorFaults faults, TimeProvider time)
    {
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted)).RootElement;
        }
        catch (JsonException)
        {
            return Error(400, 1200, "request body is not valid JSON");
        }

        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String)
        {
            return Error(400, 1201, "model and prompt are required strings");
        }

        var duration = body.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "5";
        var externalId = body.TryGetProperty("external_task_id", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var task = new SimulatedTask(
            Random.Shared.NextInt64(100_000_000_000_000_000, 999_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            time.GetUtcNow(), duration, faults.Current.Mode == FaultMode.FailTasks, externalId);
        tasks[task.Id] = task;
        return Success(new
        {
            task_id = task.Id,
            task_status = "submitted",
            task_info = new { external_task_id = externalId },
            created_at = task.CreatedAt.ToUnixTimeMilliseconds(),
            updated_at = task.CreatedAt.ToUnixTimeMilliseconds(),
        });
    }

    private static IResult Query(
        string task_id, ConcurrentDictionary<string, SimulatedTask> tasks, IOptionsMonitor<SimulatorOptions> options, TimeProvider time)
    {
        if (!tasks.TryGetValue(task_id, out var task))
        {
            return Error(404, 1203, "task not found");
        }

        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var status = task.StatusAt(now, settings);
        return Success(new
        {
            task_id = task.Id,
            task_status = status,
            task_status_msg = status == "failed" ? "generation failed (simulated)" : null,
            task_info = new { external_task_id = task.ExternalTaskId },
            created_at = task.CreatedAt.ToUnixTimeMilliseconds(),
            updated_at = task.UpdatedAt(now, settings).ToUnixTimeMilliseconds(),
            task_result = status == "succeed"
                ? new { videos = new[] { new { id = task.Id + "-0", url = $"{settings.VideoBaseUrl}/{task.Id}.mp4", duration = task.Duration } } }
                : null,
        });
    }

    private static IResult Success(object data) =>
        Results.Json(new { code = 0, message = "success", request_id = Guid.NewGuid().ToString(), data });

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new { code, message, request_id = Guid.NewGuid().ToString() }, statusCode: status);
}
