using System.Globalization;
using Kling.Gateway.Polling;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// A whole-number query parameter with its range: the one place the handlers validate it from and the OpenAPI document
/// describes it from.
/// </summary>
internal sealed record QueryParameter(string Name, int Minimum, int Maximum, int? Default, string Description)
{
    public static readonly QueryParameter Wait = new("wait", 1, PollingOptions.MaxWaitSeconds, null,
        "Gateway extension (long-poll): hold the answer until the task has finished or this many seconds have passed.");

    public static readonly QueryParameter PageNum = new("pageNum", 1, 1000, 1, "Page number.");

    public static readonly QueryParameter PageSize = new("pageSize", 1, 500, 30, "Tasks per page.");

    /// <summary>The error message of a value out of range.</summary>
    public string Rule => $"{Name} must be a whole number from {Minimum} to {Maximum}";

    /// <summary>Reads the parameter; absent gives <see cref="Default"/> (0 when it has none).</summary>
    public bool TryRead(IQueryCollection query, out int value)
    {
        if (!query.TryGetValue(Name, out var raw))
        {
            value = Default ?? 0;
            return true;
        }

        return int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= Minimum && value <= Maximum;
    }
}
