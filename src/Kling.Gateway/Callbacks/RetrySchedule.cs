namespace Kling.Gateway.Callbacks;

/// <summary>
/// When a failed delivery is tried again: about 5 s, 30 s, 2 min, 10 min, 30 min and 1 h after successive failures,
/// then hourly, each ±20 % (jitter, so receivers coming back are not hit by every event at once); a 429 or 503 with
/// <c>Retry-After</c> is honoured instead (at most an hour). An event not delivered within 24 hours of its creation fails.
/// </summary>
internal static class RetrySchedule
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);

    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
    ];

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>The base delay after the <paramref name="failures"/>-th failed attempt (1 for the first), before jitter.</summary>
    public static TimeSpan BaseDelay(int failures) => Backoff[Math.Clamp(failures, 1, Backoff.Length) - 1];

    /// <summary>What becomes of an event after an attempt that got <paramref name="status"/> (null: no answer).</summary>
    /// <param name="failures">Failed attempts so far, this one included.</param>
    /// <param name="jitter">A number in [0, 1).</param>
    public static Settlement Decide(int? status, TimeSpan? retryAfter, int failures, DateTimeOffset createdAt, DateTimeOffset now, double jitter)
    {
        switch (status)
        {
            case >= 200 and < 300:
                return Settlement.Delivered;
            case 410:
                return Settlement.Stopped;
        }

        var delay = status is 429 or 503 && retryAfter is { } asked
            ? (asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxRetryAfter ? MaxRetryAfter : asked)
            : BaseDelay(failures) * (0.8 + (0.4 * jitter));
        var next = now + delay;
        return next - createdAt > GiveUpAfter ? Settlement.Failed : Settlement.Retry(next);
    }
}

/// <summary>What becomes of an event after an attempt.</summary>
internal sealed record Settlement(SettlementKind Kind, DateTimeOffset RetryAt)
{
    public static readonly Settlement Delivered = new(SettlementKind.Delivered, default);
    public static readonly Settlement Failed = new(SettlementKind.Failed, default);
    public static readonly Settlement Stopped = new(SettlementKind.Stopped, default);

    public static Settlement Retry(DateTimeOffset at) => new(SettlementKind.Retry, at);
}

internal enum SettlementKind
{
    /// <summary>A 2xx: done.</summary>
    Delivered,

    /// <summary>Tried again later.</summary>
    Retry,

    /// <summary>Given up after 24 hours.</summary>
    Failed,

    /// <summary>410 Gone: this event and every later one of the task are dropped.</summary>
    Stopped,
}
