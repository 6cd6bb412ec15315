using Kling.Gateway.Observability;

namespace Kling.Gateway.Tests.Observability;

public sealed class RequestIdGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void An_id_is_a_version_7_uuid_in_32_lowercase_hex_digits_carrying_its_millisecond()
    {
        var id = new RequestIdGenerator().Next(Now);

        Assert.Matches("^[0-9a-f]{32}$", id);
        var uuid = Guid.ParseExact(id, "N");
        Assert.Equal(7, uuid.Version);
        Assert.Contains(id[16], "89ab"); // the RFC 4122 variant
        Assert.Equal(Now.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
    }

    [Fact]
    public void Ids_never_repeat_and_sort_in_the_order_they_were_made_within_and_across_milliseconds()
    {
        var ids = new RequestIdGenerator();
        var made = Enumerable.Range(0, 10_000).Select(i => ids.Next(Now.AddMilliseconds(i / 1000))).ToList();

        Assert.Equal(made.Count, made.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(made, made.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ids_made_at_once_on_many_threads_never_repeat()
    {
        var ids = new RequestIdGenerator();
        var made = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                made.Add(ids.Next(Now));
            }
        });

        Assert.Equal(40_000, made.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Two_generators_at_the_same_millisecond_make_different_ids()
    {
        Assert.NotEqual(new RequestIdGenerator().Next(Now), new RequestIdGenerator().Next(Now));
    }
}
