namespace Kling.Gateway.Callbacks;

/// <summary>A Standard Webhooks secret: <c>whsec_</c> + base64 of 24 to 64 random bytes; the HMAC key is the decoded bytes.</summary>
internal static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const string Rule = "must be whsec_ followed by the base64 of 24 to 64 random bytes";

    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret.AsSpan(Prefix.Length);
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written) || written is < 24 or > 64)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }
}
