using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// One authentication result per tenant, made on its first request and shared by all after it: a tenant's principal
/// holds nothing but its id, and nothing in the gateway changes a principal, so building one per request only fed the
/// collector. Bounded by the configured tenants: only an authenticated tenant id reaches it.
/// </summary>
internal sealed class AuthenticatedTenants
{
    public static readonly Task<AuthenticateResult> NoCredential = Task.FromResult(AuthenticateResult.NoResult());

    private readonly ConcurrentDictionary<string, Task<AuthenticateResult>> _results = new(StringComparer.Ordinal);

    public Task<AuthenticateResult> For(string tenantId) => _results.GetOrAdd(tenantId, Create);

    private static Task<AuthenticateResult> Create(string tenantId)
    {
        // The tenant id is also the identity's name, so cross-cutting code (logs, metrics) reads it without knowing tenancy.
        var identity = new ClaimsIdentity([new Claim(TenantClaims.TenantId, tenantId)], GatewayKeyAuthenticationHandler.SchemeName,
            TenantClaims.TenantId, roleType: null);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), GatewayKeyAuthenticationHandler.SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }
}
