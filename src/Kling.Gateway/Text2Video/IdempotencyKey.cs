using System.Buffers;
using System.Security.Cryptography;
using Kling.Gateway.Errors;

namespace Kling.Gateway.Text2Video;

/// <summary>What makes two submits "the same": the <c>Idempotency-Key</c> header, else the body's <c>external_task_id</c>.</summary>
internal static class IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxLength = 255;

    private static readonly SearchValues<char> Visible = SearchValues.Create([.. Enumerable.Range(0x21, 0x7E - 0x20).Select(c => (char)c)]);

    /// <summary>The key, or null when the submit has none; <paramref name="error"/> is set for a malformed header.</summary>
    public static string? From(HttpRequest request, string? externalTaskId, out KlingErrorResult? error)
    {
        error = null;
        if (!request.Headers.TryGetValue(HeaderName, out var values))
        {
            // Kling treats external_task_id as unique per account, so a repeat is a retry.
            return externalTaskId is null ? null : "external_task_id:" + externalTaskId;
        }

        var value = values.ToString();
        if (values.Count != 1 || value.Length is 0 or > MaxLength || value.AsSpan().ContainsAnyExcept(Visible))
        {
            error = new KlingErrorResult(400, ErrorCodes.ParameterInvalid, $"{HeaderName} must be 1 to {MaxLength} visible ASCII characters");
            return null;
        }

        return "header:" + value;
    }

    /// <summary>
    /// A digest of the forwarded body and the callback_url kept back from it: the same key with another body is a client
    /// error, not a retry.
    /// </summary>
    public static string BodyHash(byte[] forwardedBody, string? callbackUrl)
    {
        if (callbackUrl is null)
        {
            return Convert.ToHexString(SHA256.HashData(forwardedBody));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(forwardedBody);
        hash.AppendData("\ncallback_url:"u8);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(callbackUrl));
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
