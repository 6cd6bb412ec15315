using System.Security.Claims;
using System.Text.Encodings.Web;
using Kling.Gateway.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

/// <summary>Authenticates a calling service by the gateway key in <c>Authorization: Bearer</c>.</summary>
internal sealed class GatewayKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TenantDirectory tenants)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GatewayKey";
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadBearerToken(Request.Headers.Authorization);
        if (key.IsEmpty)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!tenants.TryFindTenant(key, out var tenantId))
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown gateway key"));
        }

        var identity = new ClaimsIdentity([new Claim(TenantClaims.TenantId, tenantId)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await (result.None
            ? Context.WriteKlingErrorAsync(401, ErrorCodes.AuthorizationMissing, "Authorization header is missing or empty: send 'Authorization: Bearer <gateway key>'")
            : Context.WriteKlingErrorAsync(401, ErrorCodes.KeyInvalid, "the gateway key is not valid"));
    }

    private static ReadOnlySpan<char> ReadBearerToken(string? header) =>
        header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? header.AsSpan(BearerPrefix.Length).Trim()
            : default;
}
