using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>Source-generated (reflection-free) JSON for everything the gateway reads or writes itself.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Text2VideoRequest))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(VideoMode))]
[JsonSerializable(typeof(AspectRatio))]
[JsonSerializable(typeof(VideoDuration))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
