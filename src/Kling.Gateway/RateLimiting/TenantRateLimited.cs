namespace Kling.Gateway.RateLimiting;

/// <summary>Endpoint metadata: answers carry the tenant's <c>RateLimit-*</c> headers (so the document can say so).</summary>
internal sealed class TenantRateLimited
{
    public static readonly TenantRateLimited Instance = new();

    private TenantRateLimited()
    {
    }
}
