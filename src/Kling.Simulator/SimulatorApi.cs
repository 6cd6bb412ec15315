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
        api.MapGet("/", List);
        api.MapGet("/{task_id}", Query);
        endpoints.MapPut("/simulator/faults", (FaultSettings settings, SimulatorFaults faults) =>
        {
            faults.Current = settings;
            return Results.Json(settings);
        }).AddEndpointFilter(RequireKeyAndApplyFaults);
        // As Kling: 1202 in the JSON envelope for a path it does not serve (404) or a method a path does not take (405).
        var prefix = mode == SimulatorMode.Official ? OfficialText2VideoPath : Text2VideoPath;
        endpoints.MapFallback("{*path}", (HttpRequest request) => request.Path.StartsWithSegments(prefix, StringComparison.Ordinal)
            ? Error(405, 1202, request.Method + " is not supported on this path")
            : Error(404, 1202, "path not supported"));
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

        // The official API calls the model model_name (a body without it runs on kling-v1) and takes cfg_scale in [0, 1].
        if (SimulatorRules.Check(body, options.CurrentValue) is { } broken)
        {
            return Error(400, 1201, broken);
        }

        var duration = body.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "5";
        var externalId = body.TryGetProperty("external_task_id", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var task = new SimulatedTask(
            Random.Shared.NextInt64(100_000_000_000_000_000, 999_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            time.GetUtcNow(), duration, faults.Current.Mode == FaultMode.FailTasks, externalId)
        {
            Watermark = body.TryGetProperty("watermark_info", out var w) && w.ValueKind == JsonValueKind.Object
                && w.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.True,
        };
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
        return Success(settings.Mode == SimulatorMode.Official, Describe(task, settings, faults, time));
    }

    /// <summary>The official list: <c>pageNum</c> 1-1000 (default 1), <c>pageSize</c> 1-500 (default 30), newest first.</summary>
    private static IResult List(
        HttpRequest request, SimulatedAccount account, IOptionsMonitor<SimulatorOptions> options, SimulatorFaults faults, TimeProvider time)
    {
        if (!TryReadPage(request, "pageNum", 1, 1000, out var pageNum) || !TryReadPage(request, "pageSize", 30, 500, out var pageSize))
        {
            return Error(400, 1201, "pageNum must be from 1 to 1000 and pageSize from 1 to 500");
        }

        var settings = options.CurrentValue;
        var page = account.Tasks.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id, StringComparer.Ordinal)
            .Skip((pageNum - 1) * pageSize).Take(pageSize)
            .Select(t => Describe(t, settings, faults, time));
        return Success(settings.Mode == SimulatorMode.Official, page.ToArray());
    }

    private static bool TryReadPage(HttpRequest request, string name, int absent, int max, out int value)
    {
        value = absent;
        return !request.Query.TryGetValue(name, out var raw)
            || (int.TryParse(raw.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
                && value >= 1 && value <= max);
    }

    /// <summary>A task as Kling describes it now; the official API adds the units charged and the watermark setting once it has finished.</summary>
    private static object Describe(SimulatedTask task, SimulatorOptions settings, SimulatorFaults faults, TimeProvider time)
    {
        var finishAfter = faults.Current.FinishAfter ?? settings.FinishAfter;
        var status = task.StatusAt(time.GetUtcNow(), settings, finishAfter);
        var finished = status is "succeed" or "failed";
        var official = settings.Mode == SimulatorMode.Official;
        return new
        {
            task_id = task.Id,
            task_status = status,
            task_status_msg = status == "failed" ? "generation failed (simulated)" : null,
            task_info = new { external_task_id = task.ExternalTaskId },
            created_at = task.CreatedAt.ToUnixTimeMilliseconds(),
            updated_at = task.UpdatedAt(status, settings, finishAfter).ToUnixTimeMilliseconds(),
            // The official API reports the units it charged once a task has finished (failed tasks are not charged).
            final_unit_deduction = !official ? null : status switch
            {
                "succeed" => settings.FinalUnitDeduction,
                "failed" => "0",
                _ => null,
            },
            watermark_info = official && finished ? new { enabled = task.Watermark } : null,
            task_result = status == "succeed"
                ? new
                {
                    videos = new[]
                    {
                        new
                        {
                            id = task.Id + "-0",
                            url = $"{settings.VideoBaseUrl}/{task.Id}.mp4",
                            watermark_url = official && task.Watermark ? $"{settings.VideoBaseUrl}/{task.Id}-watermarked.mp4" : null,
                            duration = task.Duration,
                        },
                    },
                }
                : null,
        };
    }

    private static IResult Success(bool official, object data) =>
        Results.Json(new { code = 0, message = official ? "SUCCEED" : "success", request_id = Guid.NewGuid().ToString(), data }, Output);

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new { code, message, request_id = Guid.NewGuid().ToString() }, Output, statusCode: status);

    // Fields a task does not have (yet) are left out rather than sent as null, as Kling does.
    private static readonly JsonSerializerOptions Output = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
