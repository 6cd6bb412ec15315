using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class ContractMapperTests
{
    private static JsonObject Mapped(string publicBody) =>
        JsonNode.Parse(ToOfficial(Encoding.UTF8.GetBytes(publicBody)))!.AsObject();

    private static byte[] ToOfficial(byte[] publicBody) => ContractMapper.Map(publicBody, UpstreamMode.Aggregator, UpstreamMode.Official);

    [Fact]
    public void An_official_body_for_an_aggregator_gets_model_and_cfg_scale_times_ten()
    {
        var official = """{"model_name":"kling-v2-1-master","prompt":"p","cfg_scale":0.35}"""u8.ToArray();

        var body = JsonNode.Parse(ContractMapper.Map(official, UpstreamMode.Official, UpstreamMode.Aggregator))!.AsObject();

        Assert.Equal("kling-v2-1-master", (string)body["model"]!);
        Assert.False(body.ContainsKey("model_name"));
        Assert.Equal(3.5, (double)body["cfg_scale"]!, 12);
    }

    [Fact]
    public void A_body_in_the_upstreams_own_terms_is_sent_as_it_is()
    {
        var official = """{"model_name":"kling-v1","cfg_scale":0.3}"""u8.ToArray();

        Assert.Same(official, ContractMapper.Map(official, UpstreamMode.Official, UpstreamMode.Official));
    }

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
        var mapped = Encoding.UTF8.GetString(ToOfficial("""{"cfg_scale":7.3}"""u8.ToArray()));

        Assert.Equal("{\"cfg_scale\":" + JsonSerializer.Serialize(7.3 / 10) + "}", mapped);
    }

    [Fact]
    public void Every_other_property_is_copied_byte_for_byte_in_place()
    {
        var image = new string('A', 100_000);
        var publicBody = "{\"prompt\":\"Ein Fuchs 🦊 im Schnee \\\"leise\\\"\",\"model\":\"kling-v1\","
            + "\"camera_control\":{\"type\":\"simple\",\"config\":{\"zoom\":-5.5}},\"image_tail\":\"" + image + "\","
            + "\"unknown\":[1,{\"a\":null}],\"duration\":\"5\"}";

        var mapped = Encoding.UTF8.GetString(ToOfficial(Encoding.UTF8.GetBytes(publicBody)));

        Assert.Equal(publicBody.Replace("\"model\":", "\"model_name\":", StringComparison.Ordinal), mapped);
    }

    [Fact]
    public void A_body_without_model_or_cfg_scale_is_unchanged()
    {
        const string publicBody = """{"prompt":"p","mode":"pro","aspect_ratio":"1:1"}""";

        Assert.Equal(publicBody, Encoding.UTF8.GetString(ToOfficial(Encoding.UTF8.GetBytes(publicBody))));
    }
}
