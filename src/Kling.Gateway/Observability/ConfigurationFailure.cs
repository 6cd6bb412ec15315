using System.Text.RegularExpressions;

namespace Kling.Gateway.Observability;

/// <summary>
/// Turns the configuration binder's conversion failure ("Failed to convert configuration value ... at 'Key' to type 'T'")
/// into one line naming the key and the expected type, without the value (it might be a secret someone misplaced).
/// </summary>
internal static partial class ConfigurationFailure
{
    public static bool TryDescribe(Exception exception, out string description)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is InvalidOperationException && BinderMessage().Match(current.Message) is { Success: true } match)
            {
                var type = match.Groups["type"].Value;
                description = $"{match.Groups["key"].Value} is not a valid {type[(type.LastIndexOf('.') + 1)..]}";
                return true;
            }
        }

        description = "";
        return false;
    }

    [GeneratedRegex(@"^Failed to convert configuration value .* at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BinderMessage();
}
