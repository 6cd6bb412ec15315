namespace Kling.Gateway.Upstream;

/// <summary>The upstream's text-to-video paths; task ids are escaped as one path segment.</summary>
internal static class UpstreamPaths
{
    public const string Text2Video = "/kling/v1/videos/text2video";

    public static string Task(string taskId) => Text2Video + "/" + Uri.EscapeDataString(taskId);
}
