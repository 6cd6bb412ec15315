using Microsoft.Extensions.Options;

namespace Kling.Gateway.BodyLimits;

/// <summary>
/// The bytes all buffered request bodies may hold together (<c>Limits:MaxBufferedBodyBytes</c>). A request takes its
/// share as its buffers grow and gives it back when they are released; a request that finds the budget spent is shed
/// (503) instead of the process running out of memory. The last quarter is kept for bodies up to
/// <see cref="SmallBodyBytes"/>, so a crowd of large uploads cannot starve ordinary submits.
/// </summary>
internal sealed class BodyBudget(IOptions<BodyLimitsOptions> options)
{
    public const long SmallBodyBytes = 1024 * 1024;

    private long _held;

    public long Capacity { get; } = options.Value.BufferedBodyBytes;

    public long Held => Volatile.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> more for a body that then holds <paramref name="bodyTotal"/>, if they fit.</summary>
    public bool TryTake(long bytes, long bodyTotal)
    {
        var limit = bodyTotal > SmallBodyBytes ? Capacity - (Capacity / 4) : Capacity;
        if (Interlocked.Add(ref _held, bytes) <= limit)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    public void Give(long bytes) => Interlocked.Add(ref _held, -bytes);
}
