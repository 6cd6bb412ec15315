using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// An enum read only from its documented string, byte for byte: unlike <see cref="JsonStringEnumConverter{T}"/> it takes
/// no number (<c>"mode": 1</c>), no boolean and no case variant (<c>"STD"</c>), so nothing but a documented value is forwarded.
/// </summary>
internal sealed class ExactStringEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    // Each member's name as JSON text (its JsonStringEnumMemberName), in the enum's order; a handful per enum.
    private static readonly (byte[] Utf8, string Text, T Value)[] Members = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field =>
        {
            var name = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? field.Name;
            return (Encoding.UTF8.GetBytes(name), name, (T)field.GetValue(null)!);
        })
        .ToArray();

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var member in Members)
            {
                if (reader.ValueTextEquals(member.Utf8))
                {
                    return member.Value;
                }
            }
        }

        throw new JsonException(typeof(T).Name + " takes only its documented strings");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        foreach (var member in Members)
        {
            if (EqualityComparer<T>.Default.Equals(member.Value, value))
            {
                writer.WriteStringValue(member.Text);
                return;
            }
        }

        throw new JsonException(value + " is not a member of " + typeof(T).Name);
    }
}
