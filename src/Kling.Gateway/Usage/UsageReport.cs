using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Usage;

/// <summary>A tenant's units in the current UTC day and month, from the store (shared by replicas, kept across restarts).</summary>
internal sealed class UsageReport(ITaskStore tasks, TenantDirectory tenants, TimeProvider time)
{
    public async Task<UsageData> ForAsync(string tenantId)
    {
        var periods = BudgetPeriods.At(time.GetUtcNow());
        var totals = await tasks.UnitTotalsAsync([tenantId], [periods.Day, periods.Month]);
        var limits = tenants.LimitsFor(tenantId);
        return new UsageData(
            Period(totals, periods.Day, limits.UnitsPerDay, periods.DayResets),
            Period(totals, periods.Month, limits.UnitsPerMonth, periods.MonthResets));
    }

    private static UsagePeriod Period(IReadOnlyList<UnitTotal> totals, string period, decimal? budget, DateTimeOffset resets)
    {
        var rows = totals.Where(t => t.Period == period && (t.Used != 0 || t.Reserved != 0))
            .OrderBy(t => t.Model, StringComparer.Ordinal).ThenBy(t => t.Mode, StringComparer.Ordinal)
            .Select(t => new ModelUsage(t.Model, t.Mode, Units.FromMilli(t.Used), Units.FromMilli(t.Reserved)))
            .ToList();
        var used = rows.Sum(r => r.Used);
        var reserved = rows.Sum(r => r.Reserved);
        return new UsagePeriod(
            period[(period.IndexOf(':', StringComparison.Ordinal) + 1)..],
            used,
            reserved,
            budget,
            budget is { } limit ? Math.Max(0, limit - used - reserved) : null,
            resets,
            rows);
    }
}
