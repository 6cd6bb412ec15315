namespace Kling.Gateway.Callbacks;

/// <summary>The form a tenant's <c>callback_url</c> must have (where it may point is the <see cref="CallbackPolicy"/>'s business).</summary>
internal static class CallbackUrl
{
    public const int MaxLength = 2048;

    public const string Rule = "callback_url must be an absolute http(s) URL of at most 2048 characters, without user info";

    public static bool IsWellFormed(string value) =>
        value.Length <= MaxLength
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.UserInfo.Length == 0
        && uri.Host.Length > 0;
}
