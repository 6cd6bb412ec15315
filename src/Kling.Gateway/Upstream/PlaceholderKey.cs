namespace Kling.Gateway.Upstream;

/// <summary>
/// A value left as shipped in a template (<c>REPLACE-with-…</c>, <c>…change-me</c>, <c>…example…</c>): a gateway
/// started with it in Production would send it upstream and fail on every call, so the start is refused instead.
/// </summary>
internal static class PlaceholderKey
{
    public const string Rule = "is a placeholder (it starts with REPLACE or contains change-me or example): set the real value";

    public static bool Is(string value) =>
        value.TrimStart().StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase)
        || value.Contains("change-me", StringComparison.OrdinalIgnoreCase)
        || value.Contains("changeme", StringComparison.OrdinalIgnoreCase)
        || value.Contains("example", StringComparison.OrdinalIgnoreCase);
}
