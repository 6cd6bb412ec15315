using System.Threading.RateLimiting;

namespace Kling.Gateway.RateLimiting;

/// <summary>
/// Token buckets (the framework's <see cref="PartitionedRateLimiter"/>), one per tenant, policy and limit:
/// a full minute's allowance may be spent at once, then one request is earned back every minute / limit.
/// The limit is part of the partition key, so a changed limit takes effect at once.
/// </summary>
internal sealed class InProcessRateLimiter : ITenantRateLimiter, IDisposable
{
    private readonly PartitionedRateLimiter<BucketKey> _buckets = PartitionedRateLimiter.Create<BucketKey, BucketKey>(
        key => RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = k.PerMinute,
            TokensPerPeriod = TokensPerRefill(k.PerMinute),
            ReplenishmentPeriod = RefillPeriod(k.PerMinute),
            QueueLimit = 0,
            // Refilled by the partitioned limiter's own timer, from the time that passed.
            AutoReplenishment = false,
        }));

    public ValueTask<RateLimitDecision> AcquireAsync(string tenantId, RatePolicy policy, int perMinute, CancellationToken cancellationToken)
    {
        var key = new BucketKey(tenantId, policy, perMinute);
        using var lease = _buckets.AttemptAcquire(key);
        var remaining = (int)Math.Min(_buckets.GetStatistics(key)?.CurrentAvailablePermits ?? 0, perMinute);
        var retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : RefillPeriod(perMinute);
        var reset = TimeSpan.FromMinutes(1) * ((double)(perMinute - remaining) / perMinute);
        return ValueTask.FromResult(new RateLimitDecision(lease.IsAcquired, perMinute, remaining, reset, retryAfter));
    }

    public void Dispose() => _buckets.Dispose();

    // One token per minute / limit; above 60 000 per minute, several tokens each millisecond (a period must be at least a tick).
    private static TimeSpan RefillPeriod(int perMinute) =>
        perMinute <= 60_000 ? TimeSpan.FromMinutes(1) / perMinute : TimeSpan.FromMilliseconds(1);

    private static int TokensPerRefill(int perMinute) => perMinute <= 60_000 ? 1 : (int)Math.Ceiling(perMinute / 60_000.0);

    private readonly record struct BucketKey(string TenantId, RatePolicy Policy, int PerMinute);
}
