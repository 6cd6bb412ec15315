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

    /// <summary>
    /// The whole body, or the violation that stopped reading it: over <paramref name="maxBytes"/>, or a structure the
    /// scanner refused (checked as the bytes arrive, so a hostile body is not read further).
    /// </summary>
    public static async Task<(ReceivedBody? Body, BodyViolation? Violation)> ReadAsync(
        PipeReader reader, long? contentLength, int maxBytes, BodyStructureScanner scanner, CancellationToken cancellationToken)
    {
        var body = new ReceivedBody((int)Math.Clamp(contentLength ?? 4096, 1, maxBytes));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var violation = body.Append(result.Buffer, maxBytes);
                reader.AdvanceTo(result.Buffer.End);
                violation ??= scanner.Advance(body.Memory.Span, result.IsCompleted);
                if (violation is not null)
                {
                    body.Dispose();
                    return (null, violation);
                }

                if (result.IsCompleted)
                {
                    return (body, null);
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

    private BodyViolation? Append(ReadOnlySequence<byte> data, int maxBytes)
    {
        if (_length + data.Length > maxBytes)
        {
            return BodyViolation.TooLarge;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(_buffer.Length * 2L, _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += (int)data.Length;
        return null;
    }
}
