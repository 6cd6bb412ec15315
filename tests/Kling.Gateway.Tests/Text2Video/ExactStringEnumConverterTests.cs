using System.Text.Json;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class ExactStringEnumConverterTests
{
    [Theory]
    [InlineData("\"std\"", "Std")]
    [InlineData("\"pro\"", "Pro")]
    [InlineData("\"\\u0073td\"", "Std")]
    public void A_documented_string_is_read(string json, string member)
    {
        Assert.Equal(Enum.Parse<VideoMode>(member), JsonSerializer.Deserialize(json, ContractJsonContext.Default.VideoMode));
    }

    [Theory]
    [InlineData("\"STD\"")]
    [InlineData("\"Pro\"")]
    [InlineData("\"std \"")]
    [InlineData("\"Std\"")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("[\"std\"]")]
    [InlineData("{\"mode\":\"std\"}")]
    [InlineData("\"\"")]
    public void Anything_else_is_refused(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ContractJsonContext.Default.VideoMode));
    }

    [Theory]
    [InlineData("\"16:9\"", "Landscape")]
    [InlineData("\"9:16\"", "Portrait")]
    [InlineData("\"1:1\"", "Square")]
    public void Each_enum_reads_its_own_member_names(string json, string member)
    {
        var expected = Enum.Parse<AspectRatio>(member);
        Assert.Equal(expected, JsonSerializer.Deserialize(json, ContractJsonContext.Default.AspectRatio));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture), ContractJsonContext.Default.AspectRatio));
    }

    [Theory]
    [InlineData("Std", "\"std\"")]
    [InlineData("Pro", "\"pro\"")]
    public void A_member_is_written_as_its_documented_string(string member, string json)
    {
        Assert.Equal(json, JsonSerializer.Serialize(Enum.Parse<VideoMode>(member), ContractJsonContext.Default.VideoMode));
    }

    [Fact]
    public void A_value_outside_the_enum_is_not_written()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize((VideoMode)7, ContractJsonContext.Default.VideoMode));
    }
}
