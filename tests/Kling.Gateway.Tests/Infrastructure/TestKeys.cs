using System.Security.Cryptography;
using System.Text;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>Tenant keys used across the tests (each at least 32 characters, as Production requires).</summary>
internal static class TestKeys
{
    public const string TenantA = "tenant-a-key-0000000000000000000000000001";
    public const string TenantB = "tenant-b-key-0000000000000000000000000002";

    /// <summary>Tenant C's key is configured only as its SHA-256 digest.</summary>
    public const string TenantC = "tenant-c-key-0000000000000000000000000003";

    /// <summary>Tenants A and B also hold an access key / secret key pair for SDK-signed tokens.</summary>
    public const string TenantAAccessKey = "tenant-a-access-key";
    public const string TenantASecretKey = "tenant-a-secret-key-000000000000000000001";
    public const string TenantBAccessKey = "tenant-b-access-key";
    public const string TenantBSecretKey = "tenant-b-secret-key-000000000000000000002";

    public static string Sha256Form(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
