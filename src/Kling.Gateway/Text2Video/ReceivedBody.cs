using System.Buffers;
using System.IO.Pipelines;
using Kling.Gateway.BodyLimits;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// A request body copied into one buffer as it arrives (the connection's own buffers are released at once), scanned as
/// it grows. The buffer grows only with what has arrived, each step taken from the body budget first, and is given
/// back on dispose. It is not pooled: a pooled array outlives its request outside any budget.
/// </summary>
internal sealed class ReceivedBody : IDisposable
{
    private const int InitialBytes = 16 * 1024;

    private readonly BodyLease _lease;
    private byte[] _buffer = [];
    private int _length;

    private ReceivedBody(BodyLease lease) => _lease = lease;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>
    /// The whole body, or the violation that stopped reading it: over <paramref name="maxBytes"/>, over the budget, or a
    /// structure the scanner refused (checked as the bytes arrive, so a hostile body is not read further).
    /// </summary>
    public static async Task<(ReceivedBody? Body, BodyViolation? Violation)> ReadAsync(
        PipeReader reader, long? contentLength, int maxBytes, BodyStructureScanner scanner, BodyLease lease, CancellationToken cancellationToken)
    {
        var body = new ReceivedBody(lease);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var violation = body.Append(result.Buffer, maxBytes, contentLength);
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
        _lease.Give(_buffer.Length);
        _buffer = [];
    }

    private BodyViolation? Append(ReadOnlySequence<byte> data, int maxBytes, long? contentLength)
    {
        var needed = _length + data.Length;
        if (needed > maxBytes)
        {
            return BodyViolation.TooLarge;
        }

        if (needed > _buffer.Length)
        {
            // Doubling (from 16 KiB, never past the announced length): a body costs what has arrived, at most twice.
            var size = (int)Math.Max(needed, Math.Min(Math.Max(InitialBytes, _buffer.Length * 2L), Math.Min(maxBytes, contentLength ?? maxBytes)));
            if (!_lease.TryTake(size))
            {
                return BodyViolation.Busy;
            }

            var larger = GC.AllocateUninitializedArray<byte>(size);
            _buffer.AsSpan(0, _length).CopyTo(larger);
            _lease.Give(_buffer.Length);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = (int)needed;
        return null;
    }
}
