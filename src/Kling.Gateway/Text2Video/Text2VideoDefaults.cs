namespace Kling.Gateway.Text2Video;

/// <summary>The contract's documented defaults, filled in before a submit is forwarded.</summary>
internal static class Text2VideoDefaults
{
    public const double CfgScale = 5.0;
    public const VideoMode Mode = VideoMode.Std;
    public const AspectRatio Ratio = AspectRatio.Landscape;
    public const VideoDuration Duration = VideoDuration.Five;

    public static Text2VideoRequest Apply(Text2VideoRequest request) => request with
    {
        CfgScale = request.CfgScale ?? CfgScale,
        Mode = request.Mode ?? Mode,
        AspectRatio = request.AspectRatio ?? Ratio,
        Duration = request.Duration ?? Duration,
    };
}
