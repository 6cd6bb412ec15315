using Kling.Gateway.Errors;
using Microsoft.AspNetCore.Authentication;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// Authenticates a calling service by <c>Authorization: Bearer</c>: a gateway key, or an HS256 JWT signed with one of the
/// tenant's access keys (what the official Kling SDKs send). Both work on every route. The handler is made per request,
/// so it holds no more than that request needs: a tenant's result is made once and shared (<see cref="AuthenticatedTenants"/>).
/// </summary>
internal sealed class GatewayKeyAuthenticationHandler(TenantDirectory tenants, AuthenticatedTenants authenticated, TimeProvider time)
    : IAuthenticationHandler
{
    public const string SchemeName = "GatewayKey";
    private const string BearerPrefix = "Bearer ";

    private HttpContext _context = null!;
    private Task<AuthenticateResult>? _result;

    // The refusal found while authenticating is the one the challenge answers with.
    private CredentialCheck _refusal = CredentialCheck.KeyNotValid;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= Authenticate();

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        var result = await AuthenticateAsync();
        _context.Response.Headers.WWWAuthenticate = "Bearer";
        if (result.None)
        {
            await _context.WriteKlingErrorAsync(401, ErrorCodes.AuthorizationMissing,
                "Authorization header is missing or empty: send 'Authorization: Bearer <gateway key or token>'");
            return;
        }

        await _context.WriteKlingErrorAsync(401, _refusal.Code, _refusal.Message);
    }

    /// <summary>As the framework's handlers do: an authenticated caller refused by a policy gets a bare 403.</summary>
    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private Task<AuthenticateResult> Authenticate()
    {
        var presented = ReadBearerToken(_context.Request.Headers.Authorization);
        if (presented.IsEmpty)
        {
            return AuthenticatedTenants.NoCredential;
        }

        var check = tenants.Authenticate(presented, time.GetUtcNow());
        if (check.TenantId is not { } tenantId)
        {
            _refusal = check;
            return Task.FromResult(AuthenticateResult.Fail(check.Message));
        }

        return authenticated.For(tenantId);
    }

    private static ReadOnlySpan<char> ReadBearerToken(string? header) =>
        header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? header.AsSpan(BearerPrefix.Length).Trim()
            : default;
}
