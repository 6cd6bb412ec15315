using System.Text;
using System.Text.Json;

namespace Kling.Gateway.Polling;

internal static class KlingEnvelope
{
    /// <summary>
    /// The stored answer with this request's id in its top-level <c>request_id</c>; every other byte stays as the upstream
    /// wrote it.
    /// </summary>
    public static byte[] WithRequestId(byte[] answer, string requestId)
    {
        var reader = new Utf8JsonReader(answer);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("request_id"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return answer;
                }

                var start = (int)reader.TokenStartIndex;
                var end = (int)reader.BytesConsumed;
                // Request ids are plain tokens (letters, digits, - _ . :): nothing to escape.
                return [.. answer.AsSpan(0, start), .. Encoding.UTF8.GetBytes("\"" + requestId + "\""), .. answer.AsSpan(end)];
            }

            if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return answer;
    }
}
