using System.Buffers;
using System.IO.Pipelines;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// A request body copied into one pooled buffer as it arrives (the connection's own buffers are released at once,
/// rather than holding a whole 13 MB image each), returned to the pool on dispose.
/// </summary>
internal sealed class ReceivedBody : IDisposable
{
    private byte[] _buffer;
    private int _length;

    private ReceivedBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>The whole body, or null as soon as it exceeds <paramref name="maxBytes"/>.</summary>
    public static async Task<ReceivedBody?> ReadAsync(PipeReader reader, long? contentLength, int maxBytes, CancellationToken cancellationToken)
    {
        var body = new ReceivedBody((int)Math.Clamp(contentLength ?? 4096, 1, maxBytes));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    if (!body.TryAppend(segment.Span, maxBytes))
                    {
                        reader.AdvanceTo(result.Buffer.End);
                        body.Dispose();
                        return null;
                    }
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return body;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private bool TryAppend(ReadOnlySpan<byte> data, int maxBytes)
    {
        if (_length + data.Length > maxBytes)
        {
            return false;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, Math.Max(_buffer.Length * 2, _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
        return true;
    }
}
