using System.Collections.Concurrent;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// Tokens whose signature checked out, by the digest of the token, until they expire: a client re-sends one token for
/// up to its whole life, and the hot path then costs one SHA-256 and one lookup, as a static key does. Bounded: when
/// full, expired tokens are swept out; if none has expired, a new token is verified every time instead of cached.
/// </summary>
internal sealed class VerifiedTokenCache(int capacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<KeyDigest, VerifiedToken> _tokens = new();

    public int Count => _tokens.Count;

    public bool TryGet(KeyDigest digest, out VerifiedToken token) => _tokens.TryGetValue(digest, out token!);

    /// <summary>Keeps <paramref name="token"/> if it is still to be used at <paramref name="now"/> and there is room.</summary>
    public void Add(KeyDigest digest, VerifiedToken token, DateTimeOffset now)
    {
        if (token.Expires <= now)
        {
            return;
        }

        if (_tokens.Count >= capacity)
        {
            foreach (var (key, cached) in _tokens)
            {
                if (cached.Expires <= now)
                {
                    _tokens.TryRemove(key, out _);
                }
            }

            if (_tokens.Count >= capacity)
            {
                return;
            }
        }

        _tokens.TryAdd(digest, token);
    }
}
