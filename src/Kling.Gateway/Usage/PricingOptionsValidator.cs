using Microsoft.Extensions.Options;

namespace Kling.Gateway.Usage;

/// <summary>Stops the gateway at start-up, naming the key, when a price is out of range.</summary>
internal sealed class PricingOptionsValidator : IValidateOptions<PricingOptions>
{
    public ValidateOptionsResult Validate(string? name, PricingOptions options)
    {
        var failures = new List<string>();
        if (!PriceTable.IsValidUnits(options.Default))
        {
            failures.Add("Pricing:Default " + PriceTable.UnitsRule);
        }

        for (var i = 0; i < options.Rules.Count; i++)
        {
            if (options.Rules[i].Units is not { } units || !PriceTable.IsValidUnits(units))
            {
                failures.Add($"Pricing:Rules:{i}:Units " + PriceTable.UnitsRule);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
