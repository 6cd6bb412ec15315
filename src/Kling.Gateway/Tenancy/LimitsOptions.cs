namespace Kling.Gateway.Tenancy;

/// <summary>Per-tenant limits: defaults in the <c>Limits</c> section, overrides in <c>Tenants:N:Limits</c>.</summary>
internal sealed class LimitsOptions
{
    public const string Section = "Limits";

    public int SubmitsPerMinute { get; set; } = 60;

    public int QueriesPerMinute { get; set; } = 600;

    /// <summary>Tasks in <c>submitted</c>/<c>processing</c> a tenant may have at once.</summary>
    public int MaxActiveTasks { get; set; } = 10;

    public const string BudgetRule = "must be a number of units from 0 to 1000000000 with at most 3 decimals";

    /// <summary>Units a tenant may use or reserve per UTC day; unset is unlimited.</summary>
    public decimal? UnitsPerDay { get; set; }

    /// <summary>Units a tenant may use or reserve per UTC calendar month; unset is unlimited.</summary>
    public decimal? UnitsPerMonth { get; set; }

    /// <summary>Budgets are counted in thousandths of a unit: a finer value could not be enforced exactly.</summary>
    public static bool IsValidBudget(decimal? units) =>
        units is not { } value || (value is >= 0 and <= 1_000_000_000 && value * 1000 == decimal.Truncate(value * 1000));
}

/// <summary>A tenant's overrides; unset values take the <c>Limits</c> defaults.</summary>
internal sealed class TenantLimitsOptions
{
    public int? SubmitsPerMinute { get; set; }

    public int? QueriesPerMinute { get; set; }

    public int? MaxActiveTasks { get; set; }

    public decimal? UnitsPerDay { get; set; }

    public decimal? UnitsPerMonth { get; set; }
}

/// <summary>The limits in force for one tenant.</summary>
/// <param name="UnitsPerDay">Null: no daily budget.</param>
internal sealed record TenantLimits(
    int SubmitsPerMinute, int QueriesPerMinute, int MaxActiveTasks, decimal? UnitsPerDay = null, decimal? UnitsPerMonth = null)
{
    public static TenantLimits Resolve(LimitsOptions defaults, TenantLimitsOptions? overrides) => new(
        overrides?.SubmitsPerMinute ?? defaults.SubmitsPerMinute,
        overrides?.QueriesPerMinute ?? defaults.QueriesPerMinute,
        overrides?.MaxActiveTasks ?? defaults.MaxActiveTasks,
        overrides?.UnitsPerDay ?? defaults.UnitsPerDay,
        overrides?.UnitsPerMonth ?? defaults.UnitsPerMonth);
}
