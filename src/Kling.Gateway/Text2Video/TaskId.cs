using System.Buffers;

namespace Kling.Gateway.Text2Video;

internal static class TaskId
{
    public const int MaxLength = 128;
    public const string Rule = "task_id must be 1 to 128 letters, digits, '-', '_' or '.', and not only dots";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>A plain id: safe as one path segment upstream (no slashes, dot segments or control characters).</summary>
    public static bool IsPlain(string? value) =>
        !string.IsNullOrEmpty(value)
        && value.Length <= MaxLength
        && !value.AsSpan().ContainsAnyExcept(Allowed)
        && value.AsSpan().ContainsAnyExcept('.');
}
