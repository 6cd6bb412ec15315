using System.Text;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Tests.Tenancy;

public sealed class VerifiedTokenCacheTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void Holds_up_to_its_capacity_then_makes_room_only_from_expired_tokens()
    {
        var cache = new VerifiedTokenCache(capacity: 3);
        cache.Add(Digest("short-lived"), Token(T.AddSeconds(10)), T);
        cache.Add(Digest("b"), Token(T.AddHours(1)), T);
        cache.Add(Digest("c"), Token(T.AddHours(1)), T);
        Assert.Equal(3, cache.Count);

        cache.Add(Digest("past capacity"), Token(T.AddHours(1)), T);
        Assert.False(cache.TryGet(Digest("past capacity"), out _));

        cache.Add(Digest("after one expired"), Token(T.AddHours(1)), T.AddSeconds(10));
        Assert.True(cache.TryGet(Digest("after one expired"), out _));
        Assert.False(cache.TryGet(Digest("short-lived"), out _));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void An_expired_token_is_not_kept()
    {
        var cache = new VerifiedTokenCache(capacity: 3);

        cache.Add(Digest("a"), Token(T), T);

        Assert.Equal(0, cache.Count);
    }

    private static VerifiedToken Token(DateTimeOffset expires) => new("tenant", DateTimeOffset.MinValue, expires);

    private static KeyDigest Digest(string token)
    {
        Assert.True(KeyDigest.TryFromPresented(token, out var digest));
        return digest;
    }
}
