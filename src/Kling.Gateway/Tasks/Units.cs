using System.Globalization;
using System.Text.Json;

namespace Kling.Gateway.Tasks;

/// <summary>
/// Kling's resource-pack units, kept as whole thousandths (prices such as 3.5 units are common), so sums in the stores
/// are exact integers on both SQLite and Redis.
/// </summary>
internal static class Units
{
    public const long Scale = 1000;

    /// <summary>Above any real task's cost: a larger reported value is not believed.</summary>
    public const decimal MaxPerTask = 1_000_000;

    public static long ToMilli(decimal units) => (long)Math.Round(units * Scale, MidpointRounding.AwayFromZero);

    public static decimal FromMilli(long milli) => (decimal)milli / Scale;

    /// <summary>
    /// <c>final_unit_deduction</c> of an upstream <c>data</c> object (Kling sends a string, some relays a number), in
    /// thousandths; null when absent or not a number from 0 to <see cref="MaxPerTask"/>.
    /// </summary>
    public static long? FinalDeduction(JsonElement data)
    {
        if (!data.TryGetProperty("final_unit_deduction", out var value))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var units) && units <= MaxPerTask
            ? ToMilli(units)
            : null;
    }
}
