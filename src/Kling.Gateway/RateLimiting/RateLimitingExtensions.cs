using System.Globalization;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Storage;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.RateLimiting;

internal static class RateLimitingExtensions
{
    public static IHostApplicationBuilder AddTenantRateLimits(this IHostApplicationBuilder builder)
    {
        // With the Redis store, limits are shared by every replica; otherwise they live in this process.
        builder.Services.AddSingleton<InProcessRateLimiter>();
        builder.Services.AddSingleton<RedisRateLimiter>();
        builder.Services.AddSingleton<ITenantRateLimiter>(sp =>
            StoreOptions.UsesRedisIn(sp) ? sp.GetRequiredService<RedisRateLimiter>() : sp.GetRequiredService<InProcessRateLimiter>());
        return builder;
    }

    /// <summary>
    /// Limits the endpoint per authenticated tenant. Every answer carries <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c>
    /// and <c>RateLimit-Reset</c>; a refused request gets 429 code 1302 with <c>Retry-After</c>, and nothing is forwarded.
    /// </summary>
    public static RouteHandlerBuilder RequireTenantRateLimit(this RouteHandlerBuilder builder, RatePolicy policy) =>
        builder.WithMetadata(TenantRateLimited.Instance).AddEndpointFilterFactory((factory, next) =>
        {
            var services = factory.ApplicationServices;
            var limiter = services.GetRequiredService<ITenantRateLimiter>();
            var tenants = services.GetRequiredService<TenantDirectory>();
            var metrics = services.GetRequiredService<GatewayMetrics>();
            var noun = policy == RatePolicy.Submit ? "submits" : "queries";
            return async invocation =>
            {
                var context = invocation.HttpContext;
                var tenantId = context.User.GetTenantId()!;
                var limits = tenants.LimitsFor(tenantId);
                var perMinute = policy == RatePolicy.Submit ? limits.SubmitsPerMinute : limits.QueriesPerMinute;
                var decision = await limiter.AcquireAsync(tenantId, policy, perMinute, context.RequestAborted);

                var headers = context.Response.Headers;
                headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Reset"] = WholeSeconds(decision.Reset);
                if (decision.Admitted)
                {
                    return await next(invocation);
                }

                var retryAfter = WholeSeconds(decision.RetryAfter);
                headers.RetryAfter = retryAfter;
                metrics.Rejected(tenantId, "rate_limit");
                return new KlingErrorResult(429, ErrorCodes.RateLimited,
                    $"rate limit exceeded: at most {perMinute} {noun} per minute for this tenant; retry after {retryAfter} s");
            };
        });

    /// <summary>Seconds rounded up, so a client that waits that long is admitted.</summary>
    private static string WholeSeconds(TimeSpan span) =>
        ((long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
