using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// JWTs as a Kling SDK signs them, made here by hand (base64url JSON and HMAC) rather than by the gateway's code,
/// so the tests check the gateway against the format itself, including tokens no library would make.
/// </summary>
internal static class TestJwt
{
    public const string KlingHeader = """{"alg":"HS256","typ":"JWT"}""";

    /// <summary>What the official SDKs send: <c>iss</c> = access key, <c>exp</c> = now + 30 min, <c>nbf</c> = now − 5 s.</summary>
    public static string Kling(string accessKey, string secretKey, DateTimeOffset now) =>
        Sign(KlingHeader, Claims(accessKey, exp: now.AddMinutes(30), nbf: now.AddSeconds(-5)), secretKey);

    /// <summary>A payload; a null time is left out.</summary>
    public static string Claims(string accessKey, DateTimeOffset? exp, DateTimeOffset? nbf)
    {
        var claims = new JsonObject { ["iss"] = accessKey };
        if (exp is { } e)
        {
            claims["exp"] = e.ToUnixTimeSeconds();
        }

        if (nbf is { } n)
        {
            claims["nbf"] = n.ToUnixTimeSeconds();
        }

        return claims.ToJsonString();
    }

    /// <summary>header.payload signed with HMAC-SHA256 (or the given HMAC) under the secret's UTF-8 bytes.</summary>
    public static string Sign(string header, string payload, string secretKey, Func<byte[], byte[], byte[]>? hmac = null)
    {
        var signed = Part(header) + "." + Part(payload);
        var signature = (hmac ?? HMACSHA256.HashData)(Encoding.UTF8.GetBytes(secretKey), Encoding.ASCII.GetBytes(signed));
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    public static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
