namespace Kling.Gateway.Text2Video;

/// <summary>The models a submit may name, bound from the top-level <c>Models</c> array (new models appear often).</summary>
internal sealed class ModelsOptions
{
    public List<string> Models { get; set; } = [];
}
