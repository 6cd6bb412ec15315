using System.Text.Json;
using Kling.Gateway.Observability;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kling.Gateway.Upstream;

/// <summary>
/// Notices when the upstream rejects the gateway's own credentials (401, or codes 1000–1004). That is the operator's
/// problem, not the tenant's: it is logged as an error and keeps <c>/health/ready</c> unhealthy until an upstream call
/// succeeds again.
/// </summary>
internal sealed partial class UpstreamCredentialWatch(GatewayMetrics metrics, ILogger<UpstreamCredentialWatch> logger) : IHealthCheck
{
    public const string ClientMessage =
        "the gateway's upstream credentials were rejected by the upstream; this is a gateway configuration problem, not your request";

    private volatile bool _rejected;

    /// <summary>True when <paramref name="reply"/> rejects the gateway's credentials (the client must then not see it).</summary>
    public bool IsRejection(UpstreamReply reply)
    {
        if (reply.IsSuccess)
        {
            _rejected = false;
            return false;
        }

        if (reply.StatusCode != StatusCodes.Status401Unauthorized
            && !(reply.StatusCode is >= 400 and < 500 && KlingCode(reply.Body) is >= 1000 and <= 1004))
        {
            return false;
        }

        _rejected = true;
        metrics.CredentialsRejected();
        LogRejected(logger, reply.StatusCode, KlingCode(reply.Body));
        return true;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rejected
            ? HealthCheckResult.Unhealthy("the upstream rejects the gateway's credentials (Upstream:ApiKey, or Upstream:AccessKey/SecretKey)")
            : HealthCheckResult.Healthy());

    private static int? KlingCode(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var value)
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The upstream rejected the gateway's credentials (status {UpstreamStatus}, code {UpstreamCode}): check Upstream:ApiKey or Upstream:AccessKey/SecretKey")]
    private static partial void LogRejected(ILogger logger, int upstreamStatus, int? upstreamCode);
}
