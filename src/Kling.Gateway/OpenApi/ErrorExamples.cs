using Kling.Gateway.Errors;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.OpenApi;

/// <summary>Examples of the error envelope per HTTP status: the Kling codes the gateway really answers with, and its messages.</summary>
internal static class ErrorExamples
{
    public sealed record Example(string Name, int Code, string Message);

    private static readonly Dictionary<int, Example[]> ByStatus = new()
    {
        [400] =
        [
            new("invalid_parameter", ErrorCodes.ParameterInvalid, "prompt is required and must be a non-blank string of at most 2500 characters"),
            new("not_json", ErrorCodes.BodyNotParsable, "request body is not valid JSON: 'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0."),
        ],
        [401] =
        [
            new("missing", ErrorCodes.AuthorizationMissing,
                "Authorization header is missing or empty: send 'Authorization: Bearer <gateway key or token>'"),
            new("invalid", CredentialCheck.KeyNotValid.Code, CredentialCheck.KeyNotValid.Message),
            new("not_yet_valid", CredentialCheck.NotYetValid.Code, CredentialCheck.NotYetValid.Message),
            new("expired", CredentialCheck.Expired.Code, CredentialCheck.Expired.Message),
        ],
        [404] = [new("not_found", ErrorCodes.NotFound, "task not found")],
        [408] = [new("body_too_slow", ErrorCodes.BodyNotParsable, "request body did not arrive whole within 30 s")],
        [409] = [new("in_progress", ErrorCodes.ParameterInvalid,
            "a request with this idempotency key (Idempotency-Key or external_task_id) is still in progress; retry shortly")],
        [413] = [new("too_large", ErrorCodes.ParameterInvalid, "request body must be at most 15 MiB (image_tail at most 10 MB decoded)")],
        [415] = [new("not_json", ErrorCodes.BodyNotParsable, "Content-Type must be application/json")],
        [422] = [new("key_reused", ErrorCodes.ParameterInvalid,
            "this idempotency key (Idempotency-Key or external_task_id) was already used with a different request body")],
        [429] =
        [
            new("rate_limited", ErrorCodes.RateLimited, "rate limit exceeded: at most 60 submits per minute for this tenant; retry after 12 s"),
            new("concurrency_limited", ErrorCodes.ConcurrencyLimited,
                "concurrency limit exceeded: at most 5 running tasks for this tenant; retry when one has finished"),
            new("budget_exhausted", ErrorCodes.BudgetExhausted,
                "daily budget exhausted: 100 units per UTC day for this tenant are used or reserved (this task is estimated at 2); it resets at 2026-11-28T00:00:00Z"),
        ],
        [500] = [new("internal", ErrorCodes.InternalError, "internal error")],
        [502] =
        [
            new("garbage", ErrorCodes.InternalError, "the upstream's answer was not a valid Kling response; nothing was recorded"),
            new("credentials", ErrorCodes.UpstreamUnavailable, UpstreamCredentialWatch.ClientMessage),
        ],
        [503] =
        [
            new("upstream_unavailable", ErrorCodes.UpstreamUnavailable, "the upstream service is unavailable, try again later"),
            new("store_behind", ErrorCodes.UpstreamUnavailable, "the gateway state store is behind; try again shortly"),
            new("busy", ErrorCodes.UpstreamUnavailable, "the gateway is buffering as many request bodies as its memory allows: retry in a second"),
        ],
        [504] = [new("upstream_timeout", ErrorCodes.UpstreamTimeout, "the upstream did not answer within 30 s")],
    };

    public static IReadOnlyList<Example> For(int status) => ByStatus.TryGetValue(status, out var examples) ? examples : [];
}
