using System.Text.Json;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class VideoDurationConverterTests
{
    [Theory]
    [InlineData("\"5\"", "Five")]
    [InlineData("5", "Five")]
    [InlineData("\"10\"", "Ten")]
    [InlineData("10", "Ten")]
    public void The_documented_strings_and_the_bare_numbers_5_and_10_are_read(string json, string member)
    {
        Assert.Equal(Enum.Parse<VideoDuration>(member), JsonSerializer.Deserialize(json, ContractJsonContext.Default.VideoDuration));
    }

    [Theory]
    [InlineData("5.0")]
    [InlineData("5e0")]
    [InlineData("10.0")]
    [InlineData("-5")]
    [InlineData("7")]
    [InlineData("\"05\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"five\"")]
    [InlineData("true")]
    [InlineData("[5]")]
    [InlineData("{}")]
    public void Any_other_form_is_refused(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ContractJsonContext.Default.VideoDuration));
    }

    [Theory]
    [InlineData("Five", "\"5\"")]
    [InlineData("Ten", "\"10\"")]
    public void A_duration_is_always_written_as_a_string(string member, string json)
    {
        Assert.Equal(json, JsonSerializer.Serialize(Enum.Parse<VideoDuration>(member), ContractJsonContext.Default.VideoDuration));
    }
}
