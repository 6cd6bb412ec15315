using Kling.Gateway.Tasks;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Usage;

/// <summary>The estimated units of a task, from its model, mode and duration (configured rules first).</summary>
internal sealed class PriceTable(IOptionsMonitor<PricingOptions> options)
{
    public const string UnitsRule = "must be a number of units from 0 to 1000000 with at most 3 decimals";

    /// <summary>
    /// Kling's API prices for text-to-video in resource-pack units as published for these models (standard 720p,
    /// professional 1080p; without sound). Accounts with other prices override them with <c>Pricing:Rules</c>.
    /// </summary>
    public static readonly IReadOnlyList<PriceRule> KlingPrices =
    [
        .. Prices("kling-v1", std5: 1, pro5: 3.5m),
        .. Prices("kling-v1-5", std5: 2, pro5: 3.5m),
        .. Prices("kling-v1-6", std5: 2, pro5: 3.5m),
        .. Prices("kling-v2-1", std5: 2, pro5: 3.5m),
        .. Prices("kling-v2-5-turbo", std5: 1.5m, pro5: 2.5m),
        .. Prices("kling-v2-6", std5: 1.5m, pro5: 2.5m),
    ];

    /// <summary>In thousandths of a unit.</summary>
    public long Estimate(string model, string mode, string duration)
    {
        var pricing = options.CurrentValue;
        return Units.ToMilli(Find(pricing.Rules, model, mode, duration) ?? Find(KlingPrices, model, mode, duration) ?? pricing.Default);
    }

    public static bool IsValidUnits(decimal units) =>
        units is >= 0 and <= Units.MaxPerTask && units * Units.Scale == decimal.Truncate(units * Units.Scale);

    private static decimal? Find(IReadOnlyList<PriceRule> rules, string model, string mode, string duration)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Matches(model, mode, duration))
            {
                return rules[i].Units;
            }
        }

        return null;
    }

    /// <summary>Ten seconds cost twice five.</summary>
    private static PriceRule[] Prices(string model, decimal std5, decimal pro5) =>
    [
        new() { Model = model, Mode = "std", Duration = "5", Units = std5 },
        new() { Model = model, Mode = "std", Duration = "10", Units = std5 * 2 },
        new() { Model = model, Mode = "pro", Duration = "5", Units = pro5 },
        new() { Model = model, Mode = "pro", Duration = "10", Units = pro5 * 2 },
    ];
}
