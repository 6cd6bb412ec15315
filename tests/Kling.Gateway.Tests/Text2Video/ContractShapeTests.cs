using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class ContractShapeTests
{
    [Theory]
    [InlineData("model", ContractShape.DefaultValueBytes)]
    [InlineData("sound", ContractShape.DefaultValueBytes)]
    [InlineData("prompt", (Text2VideoRules.MaxPromptLength * 12) + 2)]
    [InlineData("image_tail", SubmitBody.MaxBytes)]
    public void The_aggregator_contract_knows_its_fields_and_their_value_sizes(string field, int bytes)
    {
        Assert.Equal(bytes, Text2VideoContract.Aggregator.Shape.ValueBytes(field));
    }

    [Theory]
    [InlineData("Model")]
    [InlineData("model_name")]
    [InlineData("watermark")]
    [InlineData("")]
    public void A_name_that_is_not_exactly_a_field_has_no_value_size(string name)
    {
        Assert.Null(Text2VideoContract.Aggregator.Shape.ValueBytes(name));
    }

    [Theory]
    [InlineData("Model", "model")]
    [InlineData("CFG_SCALE", "cfg_scale")]
    [InlineData("Prompt", "prompt")]
    [InlineData("camera_CONTROL", "camera_control")]
    public void A_case_variant_names_the_field_it_resembles(string name, string field)
    {
        Assert.Equal(field, Text2VideoContract.Aggregator.Shape.CaseVariantOf(name));
    }

    [Theory]
    [InlineData("model")]
    [InlineData("watermark")]
    [InlineData("model_name")]
    public void A_field_itself_or_an_unrelated_name_is_no_case_variant(string name)
    {
        Assert.Null(Text2VideoContract.Aggregator.Shape.CaseVariantOf(name));
    }

    [Theory]
    [InlineData("model_name")]
    [InlineData("MODEL_NAME")]
    public void Model_name_would_shadow_the_model_on_the_aggregator_contract(string name)
    {
        Assert.Equal("model", Text2VideoContract.Aggregator.Shape.ShadowedBy(name));
        Assert.Null(Text2VideoContract.Aggregator.Shape.ShadowedBy("model"));
    }

    [Fact]
    public void A_second_contract_names_its_own_fields_and_aliases()
    {
        var official = new ContractShape(
            ["model_name", "prompt", "cfg_scale"],
            refusedAliases: new Dictionary<string, string> { ["model"] = "model_name" },
            largeValues: new Dictionary<string, int> { ["prompt"] = 30_002 });

        Assert.Equal(ContractShape.DefaultValueBytes, official.ValueBytes("model_name"));
        Assert.Equal(30_002, official.ValueBytes("prompt"));
        Assert.Null(official.ValueBytes("model"));
        Assert.Equal("model_name", official.ShadowedBy("Model"));
        Assert.Equal("model_name", official.CaseVariantOf("Model_Name"));
    }

    [Fact]
    public void The_official_contract_refuses_model_where_the_aggregator_refuses_model_name()
    {
        var official = Text2VideoContract.Official.Shape;

        Assert.Equal(ContractShape.DefaultValueBytes, official.ValueBytes("model_name"));
        Assert.Equal(Text2VideoContract.Aggregator.Shape.ValueBytes("prompt"), official.ValueBytes("prompt"));
        Assert.Null(official.ValueBytes("model"));
        Assert.Equal("model_name", official.ShadowedBy("model"));
        Assert.Equal("model_name", official.ShadowedBy("MODEL"));
        Assert.Equal("model_name", official.CaseVariantOf("Model_Name"));
        Assert.Null(official.CaseVariantOf("model"));
    }
}
