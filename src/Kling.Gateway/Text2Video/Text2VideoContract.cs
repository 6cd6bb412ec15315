using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// The terms of one of the two public submit contracts served over one pipeline: the aggregator's (<c>/kling/v1</c>,
/// <c>model</c> required, <c>cfg_scale</c> 0–100, default 5) and the official Kling API's (<c>/v1</c>, <c>model_name</c>
/// optional with default kling-v1, <c>cfg_scale</c> 0–1, default 0.5). A submit is validated, enriched and forwarded in
/// its own contract's terms, and mapped only when the upstream speaks the other one. Each refuses the other's model
/// field (an upstream speaking the other contract would read it in place of the validated one).
/// </summary>
internal sealed class Text2VideoContract
{
    public static readonly Text2VideoContract Aggregator = new(UpstreamMode.Aggregator, "model", "model_name", null, 100, Text2VideoDefaults.CfgScale);

    public static readonly Text2VideoContract Official = new(UpstreamMode.Official, "model_name", "model", "kling-v1", 1, 0.5);

    private Text2VideoContract(UpstreamMode terms, string modelField, string refusedField, string? defaultModel, double cfgScaleMax, double cfgScaleDefault)
    {
        Terms = terms;
        ModelField = modelField;
        DefaultModel = defaultModel;
        CfgScaleMax = cfgScaleMax;
        CfgScaleDefault = cfgScaleDefault;
        RequestJson = WithModelField(modelField);
        Shape = ContractShape.ForSubmit(
            RequestJson.Properties.Where(p => !p.IsExtensionData).Select(p => p.Name),
            new Dictionary<string, string> { [refusedField] = modelField });
    }

    /// <summary>The upstream mode that speaks this contract as it is.</summary>
    public UpstreamMode Terms { get; }

    public string ModelField { get; }

    /// <summary>The model of a submit that names none; null when the field is required.</summary>
    public string? DefaultModel { get; }

    public double CfgScaleMax { get; }

    public double CfgScaleDefault { get; }

    /// <summary>The request as this contract names its fields.</summary>
    public JsonTypeInfo<Text2VideoRequest> RequestJson { get; }

    /// <summary>The names its bodies may use, checked before anything is read into objects.</summary>
    public ContractShape Shape { get; }

    /// <summary>One record for both contracts: only the model property's JSON name differs.</summary>
    private static JsonTypeInfo<Text2VideoRequest> WithModelField(string name)
    {
        var options = new JsonSerializerOptions(ContractJsonContext.Default.Options)
        {
            TypeInfoResolver = ContractJsonContext.Default.WithAddedModifier(info =>
            {
                if (info.Type != typeof(Text2VideoRequest))
                {
                    return;
                }

                foreach (var property in info.Properties)
                {
                    if (property.Name == "model")
                    {
                        property.Name = name;
                    }
                }
            }),
        };
        return (JsonTypeInfo<Text2VideoRequest>)options.GetTypeInfo(typeof(Text2VideoRequest));
    }
}
