using System.Globalization;

namespace Kling.Gateway.Tests.Infrastructure;

internal static class PrometheusText
{
    /// <summary>The value of one series in Prometheus text format (0 when the series is absent).</summary>
    public static double Value(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
