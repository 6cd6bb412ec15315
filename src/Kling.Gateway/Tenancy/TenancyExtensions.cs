using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

internal static class TenancyExtensions
{
    public static IHostApplicationBuilder AddTenancy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TenantsOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TenantsOptions>, TenantsOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section)
            .Validate(o => o.SubmitsPerMinute >= 1 && o.QueriesPerMinute >= 1 && o.MaxActiveTasks >= 1,
                "Limits:SubmitsPerMinute, Limits:QueriesPerMinute and Limits:MaxActiveTasks must each be at least 1")
            .Validate(o => LimitsOptions.IsValidBudget(o.UnitsPerDay), "Limits:UnitsPerDay " + LimitsOptions.BudgetRule)
            .Validate(o => LimitsOptions.IsValidBudget(o.UnitsPerMonth), "Limits:UnitsPerMonth " + LimitsOptions.BudgetRule)
            .ValidateOnStart();
        builder.Services.AddSingleton<TenantDirectory>();
        builder.Services.AddSingleton<AuthenticatedTenants>();
        // Transient, as the framework registers a scheme's handler: made per request by the container's compiled factory.
        builder.Services.AddTransient<GatewayKeyAuthenticationHandler>();
        builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = GatewayKeyAuthenticationHandler.SchemeName;
            options.AddScheme<GatewayKeyAuthenticationHandler>(GatewayKeyAuthenticationHandler.SchemeName, displayName: null);
        });
        builder.Services.AddAuthorization();
        return builder;
    }
}
