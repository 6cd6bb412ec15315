namespace Kling.Gateway.Usage;

/// <summary>
/// What a task is estimated to cost when the upstream reports no <c>final_unit_deduction</c>: the first matching
/// rule of <c>Pricing:Rules</c>, then the built-in Kling table (<see cref="PriceTable.KlingPrices"/>), then <c>Pricing:Default</c>.
/// </summary>
internal sealed class PricingOptions
{
    public const string Section = "Pricing";

    /// <summary>Units of a task no rule matches.</summary>
    public decimal Default { get; set; } = 1;

    public List<PriceRule> Rules { get; set; } = [];
}

/// <summary>Units for the tasks it matches; an empty field matches every value.</summary>
internal sealed class PriceRule
{
    public string? Model { get; set; }

    public string? Mode { get; set; }

    public string? Duration { get; set; }

    /// <summary>Required.</summary>
    public decimal? Units { get; set; }

    public bool Matches(string model, string mode, string duration) =>
        Field(Model, model) && Field(Mode, mode) && Field(Duration, duration);

    private static bool Field(string? rule, string value) => string.IsNullOrEmpty(rule) || string.Equals(rule, value, StringComparison.Ordinal);
}
