using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Upstream;
using Kling.Gateway.Usage;
using Microsoft.Extensions.Options;
using Serilog;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// A submit, end to end: validate and enrich, replay a retried idempotent submit, take an active-task slot and reserve
/// the task's estimated units within the tenant's budgets, forward, and record the task as the tenant's. A submit that
/// creates no task gives its slot, units and key back.
/// </summary>
internal sealed class SubmitFlow(
    Text2VideoRules rules,
    UpstreamClient upstream,
    ITaskStore tasks,
    IIdempotencyStore idempotency,
    TenantDirectory tenants,
    Budgets budgets,
    IOptionsMonitor<UpstreamOptions> upstreamOptions,
    GatewayMetrics metrics,
    IDiagnosticContext diagnostics)
{
    public async Task HandleAsync(HttpContext context)
    {
        var (body, error) = await SubmitBody.ReadAsync(context.Request, rules);
        if (body is null)
        {
            await error!.ExecuteAsync(context);
            return;
        }

        diagnostics.Set("Model", body.Request.Model);
        diagnostics.Set("PromptLength", body.Request.Prompt!.Length);
        var tenantId = context.User.GetTenantId()!;
        var key = IdempotencyKey.From(context.Request, body.Request.ExternalTaskId, out var keyError);
        if (keyError is not null)
        {
            await keyError.ExecuteAsync(context);
            return;
        }

        if (key is not null && await ClaimAsync(context, tenantId, key, body) is { } answered)
        {
            await answered.ExecuteAsync(context);
            return;
        }

        // Past this point nothing may leak: the slot, its units and the key claim are given back unless a task was recorded.
        var maxActiveTasks = tenants.LimitsFor(tenantId).MaxActiveTasks;
        var budget = budgets.For(tenantId, body.Request.Model!, ModeOf(body.Request), DurationOf(body.Request));
        var decision = await tasks.TryReserveSlotAsync(
            tenantId, body.Request.Model!, context.GetRequestId(), maxActiveTasks, budget.Charge, context.RequestAborted);
        if (decision.Reservation is not { } reservation)
        {
            await ForgetAsync(tenantId, key);
            if (decision.Refusal != SlotRefusal.Concurrency)
            {
                await budgets.RefuseAsync(context, tenantId, budget, decision.Refusal);
                return;
            }

            metrics.Rejected(tenantId, "concurrency");
            await context.WriteKlingErrorAsync(429, ErrorCodes.ConcurrencyLimited,
                $"concurrency limit exceeded: at most {maxActiveTasks} running tasks for this tenant; retry when one has finished");
            return;
        }

        var recorded = false;
        try
        {
            var reply = await upstream.SendAsync(context, "submit", UpstreamPaths.Text2Video, body.Forwarded);
            if (reply is null)
            {
                return;
            }

            if (reply.IsSuccess && TaskSnapshot.Read(reply.Body) is { } snapshot)
            {
                // The task exists upstream now: record it even if the client has gone away.
                await tasks.RecordSubmittedAsync(reservation, snapshot, CancellationToken.None);
                recorded = true;
                diagnostics.Set("TaskId", snapshot.TaskId);
                if (key is not null)
                {
                    await idempotency.CompleteAsync(tenantId, key, reply.StatusCode, reply.Body, CancellationToken.None);
                }
            }

            await reply.WriteAsync(context);
        }
        finally
        {
            if (!recorded)
            {
                await tasks.ReleaseSlotAsync(reservation, CancellationToken.None);
                await ForgetAsync(tenantId, key);
            }
        }
    }

    /// <summary>Claims the key, or returns the answer for a retry (replay), a reused key (422) or a duplicate in flight (409).</summary>
    private async Task<IResult?> ClaimAsync(HttpContext context, string tenantId, string key, SubmitBody body)
    {
        // A claim outlives any first attempt that is still running; after that it was abandoned.
        var lease = upstreamOptions.CurrentValue.Timeout * 2;
        var outcome = await idempotency.BeginAsync(tenantId, key, IdempotencyKey.BodyHash(body.Forwarded), lease, context.RequestAborted);
        return outcome.State switch
        {
            IdempotencyState.Claimed => null,
            IdempotencyState.Replay => new ReplayResult(outcome.Status, outcome.Response!),
            IdempotencyState.BodyMismatch => new KlingErrorResult(422, ErrorCodes.ParameterInvalid,
                "this idempotency key (Idempotency-Key or external_task_id) was already used with a different request body"),
            _ => new KlingErrorResult(409, ErrorCodes.ParameterInvalid,
                "a request with this idempotency key (Idempotency-Key or external_task_id) is still in progress; retry shortly"),
        };
    }

    /// <summary>The mode and duration the task runs with (the defaults when not sent), as the price table names them.</summary>
    private static string ModeOf(Text2VideoRequest request) => (request.Mode ?? Text2VideoDefaults.Mode) == VideoMode.Pro ? "pro" : "std";

    private static string DurationOf(Text2VideoRequest request) => (request.Duration ?? Text2VideoDefaults.Duration) == VideoDuration.Ten ? "10" : "5";

    private Task ForgetAsync(string tenantId, string? key) =>
        key is null ? Task.CompletedTask : idempotency.ForgetAsync(tenantId, key, CancellationToken.None);

    /// <summary>The stored first answer, byte for byte, marked as a replay.</summary>
    private sealed class ReplayResult(int status, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            return new UpstreamReply(status, body).WriteAsync(httpContext);
        }
    }
}
