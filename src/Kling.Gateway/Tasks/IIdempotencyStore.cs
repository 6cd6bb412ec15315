namespace Kling.Gateway.Tasks;

/// <summary>Remembers the first answer to a keyed submit so that retries get it again instead of a second task.</summary>
internal interface IIdempotencyStore
{
    /// <summary>
    /// Claims the key for this request, or says why not: the stored answer to replay, a different body, or
    /// a first request still in flight (a claim older than <paramref name="pendingLease"/> is taken over).
    /// </summary>
    Task<IdempotencyOutcome> BeginAsync(string tenantId, string key, string bodyHash, TimeSpan pendingLease);

    /// <summary>Stores the answer to replay for the rest of the window.</summary>
    Task CompleteAsync(string tenantId, string key, int status, byte[] response);

    /// <summary>Releases a claim whose request created nothing, so a retry may try again.</summary>
    Task ForgetAsync(string tenantId, string key);
}

internal enum IdempotencyState
{
    Claimed,
    Replay,
    InFlight,
    BodyMismatch,
}

internal sealed record IdempotencyOutcome(IdempotencyState State, int Status = 0, byte[]? Response = null)
{
    public static readonly IdempotencyOutcome Claimed = new(IdempotencyState.Claimed);
    public static readonly IdempotencyOutcome InFlight = new(IdempotencyState.InFlight);
    public static readonly IdempotencyOutcome BodyMismatch = new(IdempotencyState.BodyMismatch);
}
