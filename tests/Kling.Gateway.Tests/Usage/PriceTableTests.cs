using Kling.Gateway.Usage;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tests.Usage;

public sealed class PriceTableTests
{
    [Theory]
    [InlineData("kling-v1", "std", "5", 1_000)]
    [InlineData("kling-v1", "std", "10", 2_000)]
    [InlineData("kling-v1", "pro", "5", 3_500)]
    [InlineData("kling-v1", "pro", "10", 7_000)]
    [InlineData("kling-v1-6", "std", "5", 2_000)]
    [InlineData("kling-v2-5-turbo", "pro", "10", 5_000)]
    public void Without_rules_the_built_in_Kling_prices_apply(string model, string mode, string duration, long thousandths)
    {
        Assert.Equal(thousandths, Table(new PricingOptions()).Estimate(model, mode, duration));
    }

    [Fact]
    public void A_model_without_a_price_costs_the_default()
    {
        Assert.Equal(1_000, Table(new PricingOptions()).Estimate("kling-v3", "std", "5"));
        Assert.Equal(2_250, Table(new PricingOptions { Default = 2.25m }).Estimate("kling-v9", "pro", "10"));
    }

    [Fact]
    public void The_first_matching_rule_wins_and_an_empty_field_matches_every_value()
    {
        var table = Table(new PricingOptions
        {
            Rules =
            [
                new PriceRule { Model = "kling-v1", Mode = "pro", Duration = "10", Units = 9 },
                new PriceRule { Model = "kling-v1", Units = 4 },
                new PriceRule { Mode = "pro", Units = 0.5m },
            ],
        });

        Assert.Equal(9_000, table.Estimate("kling-v1", "pro", "10"));
        Assert.Equal(4_000, table.Estimate("kling-v1", "pro", "5"));
        Assert.Equal(4_000, table.Estimate("kling-v1", "std", "5"));
        Assert.Equal(500, table.Estimate("kling-v2-6", "pro", "10"));
        // No rule matches: the built-in price.
        Assert.Equal(3_000, table.Estimate("kling-v2-6", "std", "10"));
    }

    [Fact]
    public void A_catch_all_rule_replaces_every_built_in_price()
    {
        var table = Table(new PricingOptions { Rules = [new PriceRule { Units = 1 }] });

        Assert.Equal(1_000, table.Estimate("kling-v1", "pro", "10"));
        Assert.Equal(1_000, table.Estimate("kling-v3", "std", "5"));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("3.5", true)]
    [InlineData("0.001", true)]
    [InlineData("1000000", true)]
    [InlineData("0.0001", false)]
    [InlineData("-1", false)]
    [InlineData("1000000.001", false)]
    public void Prices_are_whole_thousandths_from_0_to_a_million(string units, bool valid)
    {
        Assert.Equal(valid, PriceTable.IsValidUnits(decimal.Parse(units, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_rule_without_units_or_out_of_range_is_named_at_start_up()
    {
        var result = new PricingOptionsValidator().Validate(null, new PricingOptions
        {
            Default = -1,
            Rules = [new PriceRule { Model = "kling-v1", Units = 2 }, new PriceRule { Model = "kling-v1-6" }, new PriceRule { Units = 0.0005m }],
        });

        Assert.True(result.Failed);
        Assert.Equal(
            ["Pricing:Default " + PriceTable.UnitsRule, "Pricing:Rules:1:Units " + PriceTable.UnitsRule, "Pricing:Rules:2:Units " + PriceTable.UnitsRule],
            result.Failures!);
    }

    private static PriceTable Table(PricingOptions options) => new(new FixedOptions(options));

    private sealed class FixedOptions(PricingOptions value) : IOptionsMonitor<PricingOptions>
    {
        public PricingOptions CurrentValue => value;

        public PricingOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<PricingOptions, string?> listener) => null;
    }
}
