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

    /// <summary>Access key / secret key pairs for clients that sign Kling-style HS256 JWTs, as the official SDKs do.</summary>
    public List<TenantAccessKeyOptions> AccessKeys { get; set; } = [];

    /// <summary>Standard Webhooks secrets (<c>whsec_</c> + base64) signing this tenant's callbacks; several while rotating.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Overrides of the <c>Limits</c> defaults for this tenant.</summary>
    public TenantLimitsOptions? Limits { get; set; }
}

/// <summary>One AK/SK pair: a JWT whose <c>iss</c> is <see cref="AccessKey"/> and is signed with <see cref="SecretKey"/> authenticates the tenant.</summary>
internal sealed class TenantAccessKeyOptions
{
    public string AccessKey { get; set; } = "";

    /// <summary>The HS256 signing key, at least 32 bytes; never leaves the gateway.</summary>
    public string SecretKey { get; set; } = "";
}
