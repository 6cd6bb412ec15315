namespace Kling.Gateway.Text2Video;

/// <summary>The contract's documented defaults, filled in before a submit is forwarded.</summary>
internal static class Text2VideoDefaults
{
    public const double CfgScale = 5.0;
    public const VideoMode Mode = VideoMode.Std;
    public const AspectRatio Ratio = AspectRatio.Landscape;
    public const VideoDuration Duration = VideoDuration.Five;
}
