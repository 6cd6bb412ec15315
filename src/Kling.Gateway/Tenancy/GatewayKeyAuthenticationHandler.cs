using System.Security.Claims;
using System.Text.Encodings.Web;
using Kling.Gateway.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// Authenticates a calling service by <c>Authorization: Bearer</c>: a gateway key, or an HS256 JWT signed with one of the
/// tenant's access keys (what the official Kling SDKs send). Both work on every route.
/// </summary>
internal sealed class GatewayKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TenantDirectory tenants, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GatewayKey";
    private const string BearerPrefix = "Bearer ";

    // A handler serves one request: the refusal found while authenticating is the one the challenge answers with.
    private CredentialCheck _refusal = CredentialCheck.KeyNotValid;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ReadBearerToken(Request.Headers.Authorization);
        if (presented.IsEmpty)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var check = tenants.Authenticate(presented, time.GetUtcNow());
        if (check.TenantId is not { } tenantId)
        {
            _refusal = check;
            return Task.FromResult(AuthenticateResult.Fail(check.Message));
        }

        // The tenant id is also the identity's name, so cross-cutting code (logs, metrics) reads it without knowing tenancy.
        var identity = new ClaimsIdentity([new Claim(TenantClaims.TenantId, tenantId)], SchemeName, TenantClaims.TenantId, roleType: null);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        if (result.None)
        {
            await Context.WriteKlingErrorAsync(401, ErrorCodes.AuthorizationMissing,
                "Authorization header is missing or empty: send 'Authorization: Bearer <gateway key or token>'");
            return;
        }

        await Context.WriteKlingErrorAsync(401, _refusal.Code, _refusal.Message);
    }

    private static ReadOnlySpan<char> ReadBearerToken(string? header) =>
        header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? header.AsSpan(BearerPrefix.Length).Trim()
            : default;
}
