using System.Text.Json.Serialization;
using Kling.Gateway.Errors;

namespace Kling.Gateway.Text2Video;

/// <summary>Source-generated (reflection-free) JSON for everything the gateway reads or writes itself.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Text2VideoRequest))]
[JsonSerializable(typeof(KlingError))]
internal sealed partial class ContractJsonContext : JsonSerializerContext;
