using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

internal sealed class UpstreamOptionsValidator(IHostEnvironment environment) : IValidateOptions<UpstreamOptions>
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl.Length > 0
            && !(Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0))
        {
            failures.Add("Upstream:BaseUrl must be an absolute http(s) URL without a query, or empty for the built-in simulator");
        }

        if (options.BaseUrl.Length > 0 && options.Mode == UpstreamMode.Aggregator && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("Upstream:ApiKey is required when Upstream:BaseUrl is set (Upstream:Mode Aggregator)");
        }

        if (options.BaseUrl.Length > 0 && options.Mode == UpstreamMode.Official)
        {
            if (string.IsNullOrWhiteSpace(options.AccessKey))
            {
                failures.Add("Upstream:AccessKey is required when Upstream:Mode is Official");
            }

            if (string.IsNullOrWhiteSpace(options.SecretKey))
            {
                failures.Add("Upstream:SecretKey is required when Upstream:Mode is Official");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(options.SecretKey) < KlingJwtCredential.MinSecretKeyBytes)
            {
                failures.Add($"Upstream:SecretKey must be at least {KlingJwtCredential.MinSecretKeyBytes} bytes (HS256 signing key)");
            }
        }

        if (options.BaseUrl.Length > 0 && environment.IsProduction())
        {
            foreach (var (key, value) in options.Mode == UpstreamMode.Official
                         ? new[] { ("Upstream:AccessKey", options.AccessKey), ("Upstream:SecretKey", options.SecretKey) }
                         : [("Upstream:ApiKey", options.ApiKey)])
            {
                if (PlaceholderKey.Is(value))
                {
                    failures.Add($"{key} {PlaceholderKey.Rule}");
                }
            }
        }

        if (options.Timeout < MinTimeout || options.Timeout > MaxTimeout)
        {
            failures.Add($"Upstream:Timeout must be between {MinTimeout} and {MaxTimeout}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
