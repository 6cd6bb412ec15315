using System.Globalization;

namespace Kling.Gateway.Usage;

/// <summary>
/// The UTC calendar day and month an instant falls in: the names the stores count units under, and when each resets.
/// </summary>
internal readonly record struct BudgetPeriods(string Day, DateTimeOffset DayResets, string Month, DateTimeOffset MonthResets)
{
    public static BudgetPeriods At(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var day = new DateTimeOffset(utc.Date, TimeSpan.Zero);
        var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new BudgetPeriods(
            "day:" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            day.AddDays(1),
            "month:" + month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            month.AddMonths(1));
    }
}
