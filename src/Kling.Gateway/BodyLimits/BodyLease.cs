namespace Kling.Gateway.BodyLimits;

/// <summary>One request's share of the <see cref="BodyBudget"/>: taken piece by piece, all given back on dispose.</summary>
internal sealed class BodyLease(BodyBudget budget) : IDisposable
{
    private long _held;

    public bool TryTake(long bytes)
    {
        if (!budget.TryTake(bytes, _held + bytes))
        {
            return false;
        }

        _held += bytes;
        return true;
    }

    public void Give(long bytes)
    {
        budget.Give(bytes);
        _held -= bytes;
    }

    public void Dispose() => Give(_held);
}
