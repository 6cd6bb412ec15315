using System.Text.Json;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// The structure of a submit body, checked in one forward pass over its bytes as they arrive, before anything is
/// materialised: a JSON object whose fields appear once each, exactly as the contract names them (no case variant,
/// no refused alias), each value within its size and depth, and at most <see cref="MaxExtraFields"/> unknown fields
/// named <c>[a-z0-9_]{1,64}</c>. A hostile body is refused at the first byte that breaks a bound, so it costs
/// no more than that many bytes; the field rules (types, ranges) are checked afterwards on the bounded body.
/// </summary>
internal sealed class BodyStructureScanner(ContractShape shape)
{
    public const int MaxExtraFields = 16;
    public const int MaxExtraNameLength = 64;
    public const int MaxExtraValueBytes = 4 * 1024;

    /// <summary>Nesting levels a value may have: a scalar has none, <c>[[1]]</c> two.</summary>
    public const int MaxDepth = 4;

    /// <summary>Unparsed bytes allowed outside a value: a property name (escaped at worst 6 bytes a character) and blank space.</summary>
    private const int MaxPendingBytes = 1024;

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private JsonReaderState _state;
    private int _checked;
    private int _attempted;
    private int _extraFields;
    private string _field = "";
    private bool _known;
    private int _valueLimit;
    private int _valueStart = -1;

    /// <summary>
    /// Checks <paramref name="received"/>, the body received so far (always from its first byte; what was checked
    /// before is skipped). Returns the first violation, or null when the bytes so far are fine.
    /// </summary>
    public BodyViolation? Advance(ReadOnlySpan<byte> received, bool isFinalBlock)
    {
        // A token cut at the end of what arrived is read again from its start next time: wait until the unread part
        // has doubled, so a 13 MB image_tail arriving in small pieces is read a bounded number of times, not once a piece.
        if (!isFinalBlock && received.Length - _checked < 2 * (_attempted - _checked))
        {
            return Bounds(received.Length);
        }

        _attempted = received.Length;
        var reader = new Utf8JsonReader(received[_checked..], isFinalBlock, _state);
        try
        {
            while (reader.Read())
            {
                if (Check(ref reader, _checked + (int)reader.TokenStartIndex, _checked + (int)reader.BytesConsumed) is { } violation)
                {
                    return violation;
                }
            }
        }
        catch (JsonException ex)
        {
            return BodyViolation.NotParsable("request body is not valid JSON: " + ex.Message);
        }

        _checked += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        return Bounds(received.Length);
    }

    /// <summary>The bounds that hold even for a token still arriving: its value's size, or a name's length.</summary>
    private BodyViolation? Bounds(int received)
    {
        if (_valueStart >= 0)
        {
            return received - _valueStart > _valueLimit ? TooLarge() : null;
        }

        return received - _checked > MaxPendingBytes
            ? BodyViolation.Parameter($"property names must be at most {MaxExtraNameLength} characters")
            : null;
    }

    private BodyViolation? Check(ref Utf8JsonReader reader, int start, int end)
    {
        var depth = reader.CurrentDepth;
        var token = reader.TokenType;
        if (depth == 0)
        {
            return token is JsonTokenType.StartObject or JsonTokenType.EndObject
                ? null
                : BodyViolation.NotParsable("request body must be a JSON object");
        }

        if (depth == 1 && token == JsonTokenType.PropertyName)
        {
            return Property(ref reader, end);
        }

        // A top-level value begins with an object, an array or a scalar (which also ends it).
        if (depth == 1 && token is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
            _valueStart = start;
        }

        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray && depth > MaxDepth)
        {
            return _known ? BodyViolation.Rule(_field) : BodyViolation.Parameter($"{_field} must be at most {MaxDepth} levels deep");
        }

        if (token == JsonTokenType.Null && _known)
        {
            return BodyViolation.Rule(_field);
        }

        // The value ends with a scalar at depth 1 or with the end of its outermost object or array.
        if (depth == 1 && token is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            var size = end - _valueStart;
            _valueStart = -1;
            return size > _valueLimit ? TooLarge() : null;
        }

        return null;
    }

    private BodyViolation? Property(ref Utf8JsonReader reader, int end)
    {
        if (reader.ValueSpan.Length > MaxPendingBytes)
        {
            return BodyViolation.Parameter($"property names must be at most {MaxExtraNameLength} characters");
        }

        var name = reader.GetString()!;
        if (shape.ValueBytes(name) is { } limit)
        {
            return Begin(name, known: true, limit, end);
        }

        if (shape.CaseVariantOf(name) is { } field)
        {
            return BodyViolation.Parameter($"{name} is not a field: field names are case-sensitive (the field is {field})");
        }

        if (shape.ShadowedBy(name) is { } shadowed)
        {
            return BodyViolation.Parameter($"{name} is not a field of this API: use {shadowed}");
        }

        if (!IsExtraName(name))
        {
            return BodyViolation.Parameter(
                $"{Shorten(name)} is not accepted: unknown field names must be 1-{MaxExtraNameLength} characters of a-z, 0-9 and _");
        }

        if (++_extraFields > MaxExtraFields)
        {
            return BodyViolation.Parameter($"{name} is not accepted: at most {MaxExtraFields} unknown fields are forwarded");
        }

        return Begin(name, known: false, MaxExtraValueBytes, end);
    }

    /// <summary>The value of <paramref name="name"/> follows: until its first token is read, it counts from the name's end.</summary>
    private BodyViolation? Begin(string name, bool known, int limit, int end)
    {
        if (!_seen.Add(name))
        {
            return BodyViolation.NotParsable($"request body is not valid JSON: duplicate property {name}");
        }

        _field = name;
        _known = known;
        _valueLimit = limit;
        _valueStart = end;
        return null;
    }

    private BodyViolation TooLarge() => _known
        ? BodyViolation.Rule(_field)
        : BodyViolation.Parameter($"{_field} must be at most {MaxExtraValueBytes} bytes of JSON");

    private static bool IsExtraName(string name)
    {
        if (name.Length is 0 or > MaxExtraNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string name) => name.Length <= MaxExtraNameLength ? name : name[..MaxExtraNameLength] + "…";
}
