using Kling.Gateway.BodyLimits;
using Kling.Gateway.Callbacks;
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
/// the task's estimated units within the tenant's budgets, forward under the tenant's namespaced external id, and record the task as the tenant's. What the store is owed after
/// the upstream has answered goes through the <see cref="SubmitJournal"/>, so an accepted task is never lost or repeated.
/// </summary>
internal sealed partial class SubmitFlow(
    Text2VideoRules rules,
    BodyBudget bodyBudget,
    IOptions<BodyLimitsOptions> bodyLimits,
    UpstreamClient upstream,
    ITaskStore tasks,
    IIdempotencyStore idempotency,
    SubmitJournal journal,
    HeldReservations held,
    TenantDirectory tenants,
    Budgets budgets,
    CallbackSubmissions callbacks,
    IOptionsMonitor<UpstreamOptions> upstreamOptions,
    GatewayMetrics metrics,
    IDiagnosticContext diagnostics,
    TimeProvider time,
    ILogger<SubmitFlow> logger)
{
    /// <summary>Seconds a client is asked to wait before retrying a submit the gateway is still recording.</summary>
    private const string RetryAfterSeconds = "1";

    /// <summary>A submit in <paramref name="contract"/>'s terms; both contracts share everything past reading the body.</summary>
    public async Task HandleAsync(HttpContext context, Text2VideoContract contract)
    {
        var (body, error) = await SubmitBody.ReadAsync(context.Request, rules, contract, bodyBudget, bodyLimits.Value.BodyReadTimeout, time);
        if (body is null)
        {
            await error!.ExecuteAsync(context);
            return;
        }

        diagnostics.Set("Model", body.Model);
        diagnostics.Set("PromptLength", body.Request.Prompt!.Length);
        var tenantId = context.User.GetTenantId()!;
        var key = IdempotencyKey.From(context.Request, body.Request.ExternalTaskId, out var keyError);
        if (keyError is not null)
        {
            await keyError.ExecuteAsync(context);
            return;
        }

        PendingCallback? callback = null;
        if (body.Request.CallbackUrl is { } callbackUrl)
        {
            (callback, var refusal) = await callbacks.PrepareAsync(tenantId, callbackUrl, context.RequestAborted);
            if (callback is null)
            {
                await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, refusal!);
                return;
            }
        }

        if (key is not null && journal.IsRecording(tenantId, key))
        {
            await WriteStillRecordingAsync(context, keyed: true);
            return;
        }

        if (!journal.HasRoom)
        {
            // The store has been away long enough for the journal to fill: forward nothing more until it catches up.
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, "the gateway state store is behind; try again shortly");
            return;
        }

        var bodyHash = IdempotencyKey.BodyHash(body.Forwarded, body.Request.CallbackUrl);
        if (key is not null && await ClaimAsync(context, tenantId, key, bodyHash) is { } answered)
        {
            await answered.ExecuteAsync(context);
            return;
        }

        var clientExternalId = body.Request.ExternalTaskId;
        var intent = new SubmitIntent(tenantId, body.Model, context.GetRequestId(),
            ExternalTaskIds.ForUpstream(tenantId, clientExternalId, key, bodyHash), clientExternalId, key);

        // Past this point nothing may leak: the slot, its units and the key claim are settled through the journal.
        var maxActiveTasks = tenants.LimitsFor(tenantId).MaxActiveTasks;
        var budget = budgets.For(tenantId, body.Model, ModeOf(body.Request), DurationOf(body.Request));
        var decision = await tasks.TryReserveSlotAsync(intent, maxActiveTasks, budget.Charge);
        if (decision.Reservation is not { } reservation)
        {
            if (key is not null)
            {
                await idempotency.ForgetAsync(tenantId, key);
            }

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

        held.Hold(reservation);
        var accepted = false;
        try
        {
            // The tenant's callback_url never goes upstream; with Callbacks:PublicBaseUrl the gateway's own hint URL does.
            var hintField = callback?.HintUrl is { } hint ? SubmitBody.CallbackUrlField(hint) : [];
            var reply = await upstream.SendAsync(
                context, "submit", UpstreamPaths.Text2Video, ExternalTaskIds.InBody(body.Forwarded, intent.UpstreamExternalId, hintField), contract.Terms);
            if (reply is null)
            {
                return;
            }

            // Only the external id differs between the two answers, so the client's tells whether a task was created.
            var answer = reply.IsSuccess ? reply with { Body = ExternalTaskIds.AsClientSent(reply.Body, clientExternalId) } : reply;
            if (!reply.IsSuccess || TaskSnapshot.Read(answer.Body) is not { } snapshot)
            {
                await reply.WriteAsync(context);
                return;
            }

            // The task exists upstream now: from here the gateway owes the store its record, whatever the client does.
            accepted = true;
            diagnostics.Set("TaskId", snapshot.TaskId);
            // The callback is kept once the task is recorded as the tenant's (never on a task another tenant owns).
            var keepCallback = callback is null ? null : new Func<Task>(() => callbacks.RegisterAsync(tenantId, snapshot.TaskId, callback));
            switch (await journal.AcceptAsync(reservation, snapshot, answer.StatusCode, answer.Body, keepCallback))
            {
                case null:
                    await WriteStillRecordingAsync(context, keyed: key is not null);
                    break;
                case RecordOutcome.OwnedByAnotherTenant:
                    LogTaskOfAnotherTenant(logger, snapshot.TaskId, tenantId);
                    await context.WriteKlingErrorAsync(502, ErrorCodes.InternalError,
                        "the upstream answered with a task that is not this submit's; nothing was recorded");
                    break;
                default:
                    await answer.WriteAsync(context);
                    break;
            }
        }
        finally
        {
            if (!accepted)
            {
                await journal.AbandonAsync(reservation);
            }
        }
    }

    /// <summary>Claims the key, or returns the answer for a retry (replay), a reused key (422) or a duplicate in flight (409).</summary>
    private async Task<IResult?> ClaimAsync(HttpContext context, string tenantId, string key, string bodyHash)
    {
        // A claim outlives any first attempt that is still running; after that it was abandoned.
        var lease = upstreamOptions.CurrentValue.Timeout * 2;
        var outcome = await idempotency.BeginAsync(tenantId, key, bodyHash, lease);
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

    /// <summary>The upstream accepted the submit, the store has not recorded it yet: the client is told when to come back.</summary>
    private static Task WriteStillRecordingAsync(HttpContext context, bool keyed)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, keyed
            ? "the task was created but the gateway has not recorded it yet; retry with the same idempotency key (Idempotency-Key or external_task_id) to get it, no second task is created"
            : "the task was created but the gateway has not recorded it yet; it will appear in your task list, so check there before submitting again");
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The upstream answered a submit of {TenantId} with task {TaskId}, which another tenant owns; refused with 502 and nothing recorded")]
    private static partial void LogTaskOfAnotherTenant(Microsoft.Extensions.Logging.ILogger logger, string taskId, string tenantId);

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
