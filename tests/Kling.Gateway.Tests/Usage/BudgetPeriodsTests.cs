using Kling.Gateway.Usage;

namespace Kling.Gateway.Tests.Usage;

public sealed class BudgetPeriodsTests
{
    [Fact]
    public void The_last_moment_of_a_day_belongs_to_it_and_resets_at_the_next_UTC_midnight()
    {
        var periods = BudgetPeriods.At(new DateTimeOffset(2026, 11, 27, 23, 59, 59, 999, TimeSpan.Zero));

        Assert.Equal("day:2026-11-27", periods.Day);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), periods.DayResets);
        Assert.Equal("month:2026-11", periods.Month);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), periods.MonthResets);
    }

    [Fact]
    public void Midnight_starts_the_new_day()
    {
        var periods = BudgetPeriods.At(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("day:2026-11-28", periods.Day);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), periods.DayResets);
    }

    [Fact]
    public void Periods_are_UTC_whatever_the_offset_of_the_clock()
    {
        // 01:30 on 1 December in UTC+3 is still 30 November in UTC.
        var periods = BudgetPeriods.At(new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.FromHours(3)));

        Assert.Equal("day:2026-11-30", periods.Day);
        Assert.Equal("month:2026-11", periods.Month);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), periods.DayResets);
    }

    [Fact]
    public void December_resets_in_January_and_February_of_a_leap_year_has_29_days()
    {
        var december = BudgetPeriods.At(new DateTimeOffset(2026, 12, 31, 12, 0, 0, TimeSpan.Zero));
        var leapDay = BudgetPeriods.At(new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), december.MonthResets);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), december.DayResets);
        Assert.Equal("day:2028-02-29", leapDay.Day);
        Assert.Equal(new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero), leapDay.MonthResets);
    }
}
