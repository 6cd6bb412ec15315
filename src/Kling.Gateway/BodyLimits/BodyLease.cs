namespace Kling.Gateway.BodyLimits;

/// <summary>
/// One request's share of the <see cref="BodyBudget"/>. What it takes stays held for the request's later needs (a buffer
/// given back makes room for the forwarded copy) and goes back to the budget on dispose.
/// </summary>
internal sealed class BodyLease(BodyBudget budget) : IDisposable
{
    private long _held;
    private long _used;

    /// <summary>
    /// Takes a request's whole cost ahead of use, as soon as its body's length is known, so a request is admitted whole
    /// or shed before it is read: none is shed halfway while holding part of the budget.
    /// </summary>
    public bool TryReserve(long bytes, long bodyBytes) => TryHold(bytes, bodyBytes);

    /// <summary>Puts <paramref name="bytes"/> to use: from what is held and unused first, then from the budget.</summary>
    public bool TryTake(long bytes)
    {
        var missing = _used + bytes - _held;
        if (missing > 0 && !TryHold(missing, _used + bytes))
        {
            return false;
        }

        _used += bytes;
        return true;
    }

    /// <summary>Bytes no longer in use; they stay held until dispose, for this request's later needs.</summary>
    public void Give(long bytes) => _used -= bytes;

    public void Dispose()
    {
        budget.Give(_held);
        (_held, _used) = (0, 0);
    }

    private bool TryHold(long bytes, long bodyBytes)
    {
        if (!budget.TryTake(bytes, bodyBytes))
        {
            return false;
        }

        _held += bytes;
        return true;
    }
}
