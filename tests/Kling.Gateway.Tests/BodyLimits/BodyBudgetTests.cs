using Kling.Gateway.BodyLimits;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tests.BodyLimits;

public sealed class BodyBudgetTests
{
    private const long Capacity = 8 * 1024 * 1024;

    [Fact]
    public void Small_bodies_may_fill_the_whole_budget_and_not_a_byte_more()
    {
        var budget = Budget(Capacity);

        Assert.True(budget.TryTake(Capacity - 1, 1024));
        Assert.True(budget.TryTake(1, 1024));
        Assert.False(budget.TryTake(1, 1024));
        Assert.Equal(Capacity, budget.Held);

        budget.Give(Capacity);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void Large_bodies_stop_at_three_quarters_so_small_ones_still_fit()
    {
        var budget = Budget(Capacity);

        Assert.True(budget.TryTake(Capacity * 3 / 4, BodyBudget.SmallBodyBytes + 1));
        Assert.False(budget.TryTake(1, BodyBudget.SmallBodyBytes + 1));
        Assert.True(budget.TryTake(BodyBudget.SmallBodyBytes, BodyBudget.SmallBodyBytes));
        Assert.Equal((Capacity * 3 / 4) + BodyBudget.SmallBodyBytes, budget.Held);
    }

    [Fact]
    public void A_lease_keeps_what_it_gave_for_its_later_needs_and_gives_everything_back_when_disposed()
    {
        var budget = Budget(Capacity);
        var lease = new BodyLease(budget);

        Assert.True(lease.TryTake(1000));
        Assert.True(lease.TryTake(2000));
        lease.Give(500);
        Assert.Equal(3000, budget.Held);
        Assert.True(lease.TryTake(500));
        Assert.Equal(3000, budget.Held);
        Assert.True(lease.TryTake(1));
        Assert.Equal(3001, budget.Held);
        Assert.False(lease.TryTake(Capacity));
        Assert.Equal(3001, budget.Held);

        lease.Dispose();
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void A_reservation_admits_a_request_whole_and_its_takes_within_it_cost_nothing_more()
    {
        var budget = Budget(Capacity);
        using var first = new BodyLease(budget);
        using var second = new BodyLease(budget);

        Assert.True(first.TryReserve(Capacity / 2, BodyBudget.SmallBodyBytes + 1));
        Assert.True(first.TryTake(Capacity / 4));
        Assert.True(first.TryTake(Capacity / 4));
        Assert.Equal(Capacity / 2, budget.Held);

        // Large requests stop at three quarters: a second half does not fit, a quarter does.
        Assert.False(second.TryReserve(Capacity / 2, BodyBudget.SmallBodyBytes + 1));
        Assert.Equal(Capacity / 2, budget.Held);
        Assert.True(second.TryReserve(Capacity / 4, BodyBudget.SmallBodyBytes + 1));
        Assert.Equal(Capacity * 3 / 4, budget.Held);
    }

    [Fact]
    public void A_lease_counts_its_own_total_as_the_body_size()
    {
        var budget = Budget(Capacity);
        using var lease = new BodyLease(budget);

        // Each piece is small; together they are a large body, limited to three quarters.
        for (var i = 0; i < 6; i++)
        {
            Assert.True(lease.TryTake(1024 * 1024));
        }

        Assert.False(lease.TryTake(1024 * 1024));
    }

    [Fact]
    public void Unset_the_budget_is_a_quarter_of_the_memory_the_gc_may_use()
    {
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4, new BodyLimitsOptions().BufferedBodyBytes);
        Assert.Equal(Capacity, Budget(Capacity).Capacity);
    }

    private static BodyBudget Budget(long capacity) =>
        new(Options.Create(new BodyLimitsOptions { MaxBufferedBodyBytes = capacity }));
}
