using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tasks;

/// <summary>
/// Tenants share one upstream account, whose <c>external_task_id</c> values are unique account-wide: a tenant's value
/// never goes upstream as sent (another tenant could learn it, or squat the ones it will use). Upstream, every submit
/// carries an id the gateway makes: a digest of the tenant and what identifies the submit, or a random one.
/// The client's own value is kept beside the task and shown back in every answer.
/// </summary>
internal static class ExternalTaskIds
{
    private const string Prefix = "kg-";

    private static readonly byte[][] BodyPath = ["external_task_id"u8.ToArray()];
    private static readonly byte[][] AnswerPath = ["data"u8.ToArray(), "task_info"u8.ToArray(), "external_task_id"u8.ToArray()];

    /// <summary>
    /// The id the upstream sees. The same tenant and client value (or idempotency key and body) always give the same id,
    /// so a submit repeated after the gateway lost track of the first is refused by an upstream that keeps ids unique
    /// and can be found there by it; otherwise a random id. 35 characters, letters and digits only.
    /// </summary>
    public static string ForUpstream(string tenantId, string? clientExternalId, string? idempotencyKey, string bodyHash)
    {
        var identity = clientExternalId is not null ? "external\n" + clientExternalId
            : idempotencyKey is not null ? "key\n" + idempotencyKey + "\n" + bodyHash
            : null;
        if (identity is null)
        {
            return Prefix + RandomNumberGenerator.GetHexString(32, lowercase: true);
        }

        // Length-prefixed tenant: no tenant/identity pair can spell another's.
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(tenantId.Length + ":" + tenantId + "\n" + identity));
        return Prefix + Convert.ToHexStringLower(digest, 0, 16);
    }

    /// <summary>
    /// The forwarded body with <c>external_task_id</c> set to <paramref name="upstreamId"/> in place of the client's
    /// (or added last), and <paramref name="alsoAdded"/> (whole <c>,"name":value</c> fields of the gateway's) added last;
    /// every other byte stays as it was. One copy. Expects a non-empty JSON object, as validated.
    /// </summary>
    public static byte[] InBody(byte[] body, string upstreamId, ReadOnlyMemory<byte> alsoAdded = default)
    {
        var close = body.AsSpan().LastIndexOf((byte)'}');
        var last = close..close;
        // The client's value is replaced where it stands; without one, the field is added last.
        var (at, value) = TryLocate(body, BodyPath, out var start, out var end)
            ? (new Range(start, end), $"\"{upstreamId}\"")
            : (last, $",\"external_task_id\":\"{upstreamId}\"");
        return JsonSplice.Apply(body, (at, Encoding.UTF8.GetBytes(value)), (last, alsoAdded));
    }

    /// <summary>
    /// An upstream answer as the client must see it: <c>data.task_info.external_task_id</c> says what the client sent
    /// (null when it sent none), never the gateway's upstream id. Every other byte stays as the upstream wrote it.
    /// </summary>
    public static byte[] AsClientSent(byte[] answer, string? clientExternalId)
    {
        if (!TryLocate(answer, AnswerPath, out var start, out var end))
        {
            return answer;
        }

        var value = clientExternalId is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(clientExternalId);
        return JsonSplice.Apply(answer, (new Range(start, end), value));
    }

    /// <summary>Where the string or null value at this path of nested objects starts and ends.</summary>
    private static bool TryLocate(byte[] json, byte[][] path, out int start, out int end)
    {
        (start, end) = (0, 0);
        try
        {
            var reader = new Utf8JsonReader(json);
            // How deep the tokens read so far are on the path (the root object's properties are depth 1).
            var matched = 0;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var depth = reader.CurrentDepth;
                var onPath = depth == matched + 1 && depth <= path.Length && reader.ValueTextEquals(path[depth - 1]);
                reader.Read();
                if (onPath && depth == path.Length)
                {
                    (start, end) = ((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
                    return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
                }

                if (onPath && reader.TokenType == JsonTokenType.StartObject)
                {
                    matched = depth;
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to change.
        }

        return false;
    }
}
