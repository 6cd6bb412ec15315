namespace Kling.Gateway.RateLimiting;

/// <summary>Admits or refuses one request of a tenant against a per-minute limit, in one atomic decision.</summary>
internal interface ITenantRateLimiter
{
    ValueTask<RateLimitDecision> AcquireAsync(string tenantId, RatePolicy policy, int perMinute, CancellationToken cancellationToken);
}

internal enum RatePolicy
{
    Submit,
    Query,
}

/// <param name="Remaining">Requests still allowed right now.</param>
/// <param name="Reset">Until the allowance is whole again.</param>
/// <param name="RetryAfter">Until the next request would be admitted (zero when admitted).</param>
internal readonly record struct RateLimitDecision(bool Admitted, int Limit, int Remaining, TimeSpan Reset, TimeSpan RetryAfter);
