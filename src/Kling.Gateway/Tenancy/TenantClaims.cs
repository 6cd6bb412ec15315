using System.Security.Claims;

namespace Kling.Gateway.Tenancy;

internal static class TenantClaims
{
    public const string TenantId = "kling:tenant";

    /// <summary>The authenticated tenant's id, or null before authentication.</summary>
    public static string? GetTenantId(this ClaimsPrincipal user) => user.FindFirst(TenantId)?.Value;
}
