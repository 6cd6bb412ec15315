using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kling.Gateway.Tenancy;

/// <summary>A tenant's secret key for the tokens its access key issues.</summary>
internal sealed record TenantSecret(string TenantId, byte[] Key);

/// <summary>A token whose signature checked out: who it speaks for and when it may be used.</summary>
/// <param name="ValidFrom">Its <c>nbf</c> less the allowed clock skew (the minimum time when it has none).</param>
/// <param name="Expires">Its <c>exp</c>: from then on it is refused.</param>
internal sealed record VerifiedToken(string TenantId, DateTimeOffset ValidFrom, DateTimeOffset Expires);

/// <summary>
/// Verifies a JWT the way the Kling API does (as its SDKs sign them): header <c>alg</c> exactly <c>HS256</c>, <c>iss</c>
/// a configured access key, the HMAC-SHA256 signature under that key's secret compared in constant time, <c>exp</c>
/// required, <c>nbf</c> honoured with <see cref="Skew"/>. Pure: time is checked by the caller on the result.
/// </summary>
internal static class TenantToken
{
    public const int MinSecretKeyBytes = 32;
    public const int MaxAccessKeyLength = 128;

    /// <summary>Longer bearer values are not digested at all (see <see cref="KeyDigest"/>), so this is every token's bound.</summary>
    public const int MaxLength = KeyDigest.MaxKeyBytes;

    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);

    public const string Malformed = "the token is not a valid JWT";
    public const string AlgorithmRule = "the token's alg must be HS256";
    public const string NotAccepted = "the token's issuer or signature is not valid";
    public const string ExpirationRule = "the token must carry exp";

    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 4, AllowDuplicateProperties = false };

    /// <summary>A value with the shape of a compact JWS (three dot-separated parts): checked as a token rather than a key.</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> value) => value.Count('.') == 2;

    /// <summary>The verified token, or why it is refused (each reason answers 1002).</summary>
    public static (VerifiedToken? Token, string? Problem) Verify(ReadOnlySpan<char> token, FrozenDictionary<string, TenantSecret> secrets)
    {
        if (token.Length > MaxLength)
        {
            return (null, Malformed);
        }

        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        var signed = token[..lastDot];
        using var header = Decode(token[..firstDot]);
        using var payload = Decode(token[(firstDot + 1)..lastDot]);
        if (header is null || payload is null)
        {
            return (null, Malformed);
        }

        // Only HS256 is ever accepted: "none", other HMACs or asymmetric algorithms never reach the signature check.
        // A critical extension the gateway does not know must not be ignored (RFC 7515 4.1.11).
        var head = header.RootElement;
        if (!head.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || !alg.ValueEquals("HS256"u8)
            || head.TryGetProperty("crit", out _))
        {
            return (null, AlgorithmRule);
        }

        var claims = payload.RootElement;
        if (!claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String
            || !secrets.TryGetValue(iss.GetString()!, out var secret)
            || !SignatureMatches(signed, token[(lastDot + 1)..], secret.Key))
        {
            return (null, NotAccepted);
        }

        if (!claims.TryGetProperty("exp", out var exp) || ReadTime(exp) is not { } expires)
        {
            return (null, ExpirationRule);
        }

        var validFrom = DateTimeOffset.MinValue;
        if (claims.TryGetProperty("nbf", out var nbf))
        {
            if (ReadTime(nbf) is not { } notBefore)
            {
                return (null, Malformed);
            }

            validFrom = notBefore.UtcTicks > Skew.Ticks ? notBefore - Skew : DateTimeOffset.MinValue;
        }

        return (new VerifiedToken(secret.TenantId, validFrom, expires), null);
    }

    private static bool SignatureMatches(ReadOnlySpan<char> signed, ReadOnlySpan<char> signature, byte[] key)
    {
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes + 3];
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> input = stackalloc byte[MaxLength];
        if (!TryDecode(signature, presented, out var length) || length != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        // The signed part was base64url-decoded already, so it is ASCII.
        var inputLength = Encoding.ASCII.GetBytes(signed, input);
        HMACSHA256.HashData(key, input[..inputLength], expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented[..length]);
    }

    /// <summary>A part decoded as a JSON object, or null.</summary>
    private static JsonDocument? Decode(ReadOnlySpan<char> part)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (part.IsEmpty || !TryDecode(part, bytes, out var length))
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(bytes.AsMemory(0, length), Json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The Try variant throws on characters outside the alphabet; this one reports them.
    private static bool TryDecode(ReadOnlySpan<char> part, Span<byte> destination, out int written) =>
        Base64Url.DecodeFromChars(part, destination, out _, out written) == System.Buffers.OperationStatus.Done;

    /// <summary>A NumericDate (seconds since the epoch, possibly fractional), clamped to what a date can hold.</summary>
    private static DateTimeOffset? ReadTime(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || !double.IsFinite(seconds))
        {
            return null;
        }

        var min = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
        var max = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Clamp(seconds * 1000, min, max));
    }
}
