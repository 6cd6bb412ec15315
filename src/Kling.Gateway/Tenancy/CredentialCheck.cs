using Kling.Gateway.Errors;

namespace Kling.Gateway.Tenancy;

/// <summary>The tenant a bearer value speaks for, or the Kling code (401) and message to refuse it with.</summary>
internal readonly record struct CredentialCheck(string? TenantId, int Code, string Message)
{
    public static readonly CredentialCheck KeyNotValid = new(null, ErrorCodes.KeyInvalid, "the gateway key or token is not valid");
    public static readonly CredentialCheck NotYetValid = new(null, ErrorCodes.TokenNotYetValid, "the token is not valid yet (nbf)");
    public static readonly CredentialCheck Expired = new(null, ErrorCodes.TokenExpired, "the token has expired (exp)");

    public static CredentialCheck Tenant(string tenantId) => new(tenantId, 0, "");
}
