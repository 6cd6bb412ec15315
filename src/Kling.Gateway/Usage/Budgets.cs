using System.Globalization;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Usage;

/// <summary>
/// What a submit reserves (its estimated units, within the tenant's day and month budgets), and the answer when a
/// budget has no room: 429 code 1102 naming the budget and when it resets, with <c>Retry-After</c> until then.
/// </summary>
internal sealed class Budgets(PriceTable prices, TenantDirectory tenants, GatewayMetrics metrics, TimeProvider time)
{
    public SubmitBudget For(string tenantId, string model, string mode, string duration)
    {
        var limits = tenants.LimitsFor(tenantId);
        var periods = BudgetPeriods.At(time.GetUtcNow());
        var charge = new UnitCharge(mode, prices.Estimate(model, mode, duration), periods.Day, periods.Month,
            Milli(limits.UnitsPerDay), Milli(limits.UnitsPerMonth));
        return new SubmitBudget(charge, periods, limits.UnitsPerDay, limits.UnitsPerMonth);
    }

    public Task RefuseAsync(HttpContext context, string tenantId, SubmitBudget budget, SlotRefusal refusal)
    {
        var (name, limit, resets) = refusal == SlotRefusal.DayBudget
            ? ("daily", $"{budget.UnitsPerDay} units per UTC day", budget.Periods.DayResets)
            : ("monthly", $"{budget.UnitsPerMonth} units per UTC month", budget.Periods.MonthResets);
        var wait = Math.Max(1, (long)Math.Ceiling((resets - time.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
        metrics.Rejected(tenantId, "budget");
        var resetsText = resets.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return context.WriteKlingErrorAsync(429, ErrorCodes.BudgetExhausted,
            $"{name} budget exhausted: {limit} for this tenant are used or reserved " +
            $"(this task is estimated at {Units.FromMilli(budget.Charge.Estimate)}); it resets at {resetsText}");
    }

    private static long? Milli(decimal? units) => units is { } value ? Units.ToMilli(value) : null;
}

/// <summary>A submit's reservation and the budgets and periods it was checked against.</summary>
internal sealed record SubmitBudget(UnitCharge Charge, BudgetPeriods Periods, decimal? UnitsPerDay, decimal? UnitsPerMonth);
