using Kling.Gateway.RateLimiting;

namespace Kling.Gateway.Tenancy;

/// <summary>The calling services, bound from the top-level <c>Tenants</c> array.</summary>
internal sealed class TenantsOptions
{
    public List<TenantOptions> Tenants { get; set; } = [];
}

/// <summary>One calling service and the keys it may present.</summary>
internal sealed class TenantOptions
{
    public string Id { get; set; } = "";

    /// <summary>Plain keys, or <c>sha256:&lt;hex&gt;</c> digests of keys (so the plain key need not be stored).</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Overrides of the <c>Limits</c> defaults for this tenant.</summary>
    public TenantLimitsOptions? Limits { get; set; }
}
