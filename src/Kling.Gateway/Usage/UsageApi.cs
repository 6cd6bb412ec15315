using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.RateLimiting;
using Kling.Gateway.Tenancy;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Usage;

/// <summary>Units per task, the price table, budgets, and the tenant's usage endpoint.</summary>
internal static class UsageApi
{
    public static IHostApplicationBuilder AddUsage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PricingOptions>, PricingOptionsValidator>();
        builder.Services.AddSingleton<PriceTable>();
        builder.Services.AddSingleton<Budgets>();
        builder.Services.AddSingleton<UsageReport>();
        builder.Services.AddSingleton<UsageMetrics>();
        return builder;
    }

    public static IEndpointRouteBuilder MapUsage(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            // Created here so its series are read from the store at every scrape.
            endpoints.ServiceProvider.GetRequiredService<UsageMetrics>();
        }

        endpoints.MapGet("/kling/v1/usage", async (HttpContext context, UsageReport report) =>
                TypedResults.Ok(new UsageResponse(0, "success", context.GetRequestId(),
                    await report.ForAsync(context.User.GetTenantId()!))))
            .RequireAuthorization()
            .RequireTenantRateLimit(RatePolicy.Query)
            .WithTags("Usage")
            .WithName("GetUsage")
            .WithSummary("Your units today and this month")
            .WithDescription("The calling tenant's units in the current UTC day and calendar month: used (finished tasks: the "
                + "upstream's final_unit_deduction, else the gateway's estimate; failed tasks cost nothing), reserved (estimates of "
                + "tasks still running), the budget (null when unlimited), what remains, when the period resets, and the same per "
                + "model and mode. A task counts in the day and month it was submitted. A submit whose estimate does not fit a "
                + "budget gets 429 code 1102 with Retry-After until the reset, and is not forwarded.")
            .Produces<UsageResponse>(StatusCodes.Status200OK)
            .Produces<KlingError>(StatusCodes.Status401Unauthorized)
            .Produces<KlingError>(StatusCodes.Status429TooManyRequests)
            .Produces<KlingError>(StatusCodes.Status500InternalServerError)
            .Produces<KlingError>(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }
}
