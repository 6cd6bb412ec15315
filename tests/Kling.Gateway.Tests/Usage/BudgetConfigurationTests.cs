using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Usage;

/// <summary>Budgets and prices as an operator sets them: environment variables, checked at start-up.</summary>
public sealed class BudgetConfigurationTests
{
    [Theory]
    [InlineData("Limits__UnitsPerDay", "-1", "Limits:UnitsPerDay must be a number of units from 0 to 1000000000 with at most 3 decimals")]
    [InlineData("Tenants__0__Limits__UnitsPerMonth", "0.0001", "Tenants:0:Limits:UnitsPerMonth must be a number of units from 0 to 1000000000 with at most 3 decimals")]
    [InlineData("Pricing__Rules__0__Model", "kling-v1", "Pricing:Rules:0:Units must be a number of units from 0 to 1000000 with at most 3 decimals")]
    [InlineData("Pricing__Default", "1000000.5", "Pricing:Default must be a number of units from 0 to 1000000 with at most 3 decimals")]
    public async Task A_budget_or_price_out_of_range_stops_the_process_with_one_line_naming_the_key(string key, string value, string expected)
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            [key] = value,
        });

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(expected, fatal, StringComparison.Ordinal);
    }
}
