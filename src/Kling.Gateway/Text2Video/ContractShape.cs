using System.Collections.Frozen;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// The names a submit contract reads, for the structure check: its fields (with the JSON size each value may take),
/// and aliases it refuses because an upstream would read them in place of a validated field. Each contract has its own
/// (<see cref="Text2VideoContract.Shape"/>): the aggregator's refuses <c>model_name</c>, the official one's <c>model</c>.
/// </summary>
internal sealed class ContractShape
{
    /// <summary>Bytes of JSON text a known field's value may take unless the contract says more.</summary>
    public const int DefaultValueBytes = 4 * 1024;

    /// <summary>The fields of a text-to-video submit whose values may be large; every other field takes <see cref="DefaultValueBytes"/>.</summary>
    private static readonly Dictionary<string, int> SubmitValueBytes = new()
    {
        // 2500 characters, each at worst a 6-byte \uXXXX escape (an emoji is two), plus quotes.
        ["prompt"] = (Text2VideoRules.MaxPromptLength * 12) + 2,
        ["negative_prompt"] = (Text2VideoRules.MaxPromptLength * 12) + 2,
        // Up to the whole body: it is checked as it is read, never copied.
        ["image_tail"] = SubmitBody.MaxBytes,
    };

    private readonly FrozenDictionary<string, int> _fields;
    private readonly FrozenDictionary<string, string> _byLowerCase;
    private readonly FrozenDictionary<string, string> _refusedAliases;

    /// <param name="fields">The contract's fields, named exactly.</param>
    /// <param name="refusedAliases">Other names for a field (alias ⇒ field) that are refused, in any case.</param>
    /// <param name="largeValues">Fields whose values may take more than <see cref="DefaultValueBytes"/> of JSON.</param>
    public ContractShape(IEnumerable<string> fields, IReadOnlyDictionary<string, string> refusedAliases, IReadOnlyDictionary<string, int> largeValues)
    {
        _fields = fields.ToFrozenDictionary(f => f, f => largeValues.GetValueOrDefault(f, DefaultValueBytes), StringComparer.Ordinal);
        _byLowerCase = _fields.Keys.ToFrozenDictionary(f => f, f => f, StringComparer.OrdinalIgnoreCase);
        _refusedAliases = refusedAliases.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A text-to-video submit contract's shape: the prompts and <c>image_tail</c> may be large.</summary>
    public static ContractShape ForSubmit(IEnumerable<string> fields, IReadOnlyDictionary<string, string> refusedAliases) =>
        new(fields, refusedAliases, SubmitValueBytes);

    /// <summary>The JSON size a known field's value may take, or null for a name that is not a field.</summary>
    public int? ValueBytes(string name) => _fields.TryGetValue(name, out var bytes) ? bytes : null;

    /// <summary>The field this name equals ignoring case, when it is not that field itself.</summary>
    public string? CaseVariantOf(string name) =>
        _byLowerCase.TryGetValue(name, out var field) && !string.Equals(field, name, StringComparison.Ordinal) ? field : null;

    /// <summary>The field a refused alias would shadow, or null.</summary>
    public string? ShadowedBy(string name) => _refusedAliases.GetValueOrDefault(name);
}
