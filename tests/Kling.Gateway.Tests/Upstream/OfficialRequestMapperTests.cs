using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class OfficialRequestMapperTests
{
    private static JsonObject Mapped(string publicBody) =>
        JsonNode.Parse(OfficialRequestMapper.Map(Encoding.UTF8.GetBytes(publicBody)))!.AsObject();

    [Fact]
    public void Model_becomes_model_name_and_model_is_gone()
    {
        var body = Mapped("""{"model":"kling-v2-6","prompt":"a fox"}""");

        Assert.Equal("kling-v2-6", (string)body["model_name"]!);
        Assert.False(body.ContainsKey("model"));
        Assert.Equal("a fox", (string)body["prompt"]!);
    }

    [Theory]
    [InlineData(5.0, 0.5)]
    [InlineData(0.5, 0.05)]
    [InlineData(7.3, 0.73)]
    [InlineData(10, 1)]
    [InlineData(100, 1)]
    [InlineData(0, 0)]
    public void Cfg_scale_moves_to_the_official_scale_capped_at_one(double publicValue, double officialValue)
    {
        var body = Mapped($$"""{"model":"kling-v1","prompt":"p","cfg_scale":{{publicValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");

        Assert.Equal(officialValue, (double)body["cfg_scale"]!, 12);
    }

    [Fact]
    public void The_scaled_value_is_written_as_System_Text_Json_writes_it()
    {
        var mapped = Encoding.UTF8.GetString(OfficialRequestMapper.Map("""{"cfg_scale":7.3}"""u8.ToArray()));

        Assert.Equal("{\"cfg_scale\":" + JsonSerializer.Serialize(7.3 / 10) + "}", mapped);
    }

    [Fact]
    public void Every_other_property_is_copied_byte_for_byte_in_place()
    {
        var image = new string('A', 100_000);
        var publicBody = "{\"prompt\":\"Ein Fuchs 🦊 im Schnee \\\"leise\\\"\",\"model\":\"kling-v1\","
            + "\"camera_control\":{\"type\":\"simple\",\"config\":{\"zoom\":-5.5}},\"image_tail\":\"" + image + "\","
            + "\"unknown\":[1,{\"a\":null}],\"duration\":\"5\"}";

        var mapped = Encoding.UTF8.GetString(OfficialRequestMapper.Map(Encoding.UTF8.GetBytes(publicBody)));

        Assert.Equal(publicBody.Replace("\"model\":", "\"model_name\":", StringComparison.Ordinal), mapped);
    }

    [Fact]
    public void A_body_without_model_or_cfg_scale_is_unchanged()
    {
        const string publicBody = """{"prompt":"p","mode":"pro","aspect_ratio":"1:1"}""";

        Assert.Equal(publicBody, Encoding.UTF8.GetString(OfficialRequestMapper.Map(Encoding.UTF8.GetBytes(publicBody))));
    }
}
