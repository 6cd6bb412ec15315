using System.Security.Cryptography;
using System.Text;

namespace Kling.Gateway.Callbacks;

/// <summary>Standard Webhooks signatures: <c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c>, one per active secret.</summary>
internal static class WebhookSigner
{
    /// <summary>The <c>webhook-signature</c> header value: space-separated signatures, one per key (rotation).</summary>
    public static string Sign(string messageId, long timestamp, ReadOnlySpan<byte> body, IReadOnlyList<byte[]> keys)
    {
        var prefix = Encoding.UTF8.GetBytes(messageId + "." + timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));

        var header = new StringBuilder();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, signed, mac);
            header.Append(header.Length == 0 ? "v1," : " v1,").Append(Convert.ToBase64String(mac));
        }

        return header.ToString();
    }
}
