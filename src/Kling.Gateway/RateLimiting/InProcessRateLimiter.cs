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
            TokensPerPeriod = 1,
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
        var period = RefillPeriod(perMinute);
        var retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : period;
        return ValueTask.FromResult(new RateLimitDecision(lease.IsAcquired, perMinute, remaining, period * (perMinute - remaining), retryAfter));
    }

    public void Dispose() => _buckets.Dispose();

    private static TimeSpan RefillPeriod(int perMinute) => TimeSpan.FromMinutes(1) / perMinute;

    private readonly record struct BucketKey(string TenantId, RatePolicy Policy, int PerMinute);
}
