namespace Kling.Gateway.Tenancy;

/// <summary>Per-tenant limits: defaults in the <c>Limits</c> section, overrides in <c>Tenants:N:Limits</c>.</summary>
internal sealed class LimitsOptions
{
    public const string Section = "Limits";

    public int SubmitsPerMinute { get; set; } = 60;

    public int QueriesPerMinute { get; set; } = 600;

    /// <summary>Tasks in <c>submitted</c>/<c>processing</c> a tenant may have at once.</summary>
    public int MaxActiveTasks { get; set; } = 10;
}

/// <summary>A tenant's overrides; unset values take the <c>Limits</c> defaults.</summary>
internal sealed class TenantLimitsOptions
{
    public int? SubmitsPerMinute { get; set; }

    public int? QueriesPerMinute { get; set; }

    public int? MaxActiveTasks { get; set; }
}

/// <summary>The limits in force for one tenant.</summary>
internal sealed record TenantLimits(int SubmitsPerMinute, int QueriesPerMinute, int MaxActiveTasks)
{
    public static TenantLimits Resolve(LimitsOptions defaults, TenantLimitsOptions? overrides) => new(
        overrides?.SubmitsPerMinute ?? defaults.SubmitsPerMinute,
        overrides?.QueriesPerMinute ?? defaults.QueriesPerMinute,
        overrides?.MaxActiveTasks ?? defaults.MaxActiveTasks);
}
