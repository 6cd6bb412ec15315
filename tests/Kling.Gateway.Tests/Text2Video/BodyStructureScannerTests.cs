using System.Text;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>Each case is scanned whole and in pieces of 1, 7 and 4096 bytes: where the bytes split must not matter.</summary>
public sealed class BodyStructureScannerTests
{
    private const string Base = "\"model\":\"kling-v1\",\"prompt\":\"p\"";

    private static readonly int[] Pieces = [int.MaxValue, 1, 7, 4096];

    [Theory]
    [InlineData("{" + Base + "}")]
    [InlineData("{" + Base + ",\"camera_control\":{\"type\":\"simple\",\"config\":{\"zoom\":1}},\"duration\":10}")]
    [InlineData(" \r\n{ " + Base + " , \"watermark\" : { \"a\" : [ { \"b\" : [ 1 , null ] } ] } } \n")]
    [InlineData("{\"mod\\u0065l\":\"kling-v1\",\"prompt\":\"p\",\"extra_\\u0031\":\"x\"}")]
    public void A_body_within_every_bound_passes(string body)
    {
        Assert.All(Pieces, piece => Assert.Null(Scan(body, piece)));
    }

    [Theory]
    [InlineData(16, null)]
    [InlineData(17, "extra_17 is not accepted: at most 16 unknown fields are forwarded")]
    public void Sixteen_unknown_fields_pass_and_a_seventeenth_is_refused(int count, string? message)
    {
        var body = "{" + Base + string.Concat(Enumerable.Range(1, count).Select(i => $",\"extra_{i}\":{i}")) + "}";
        Assert.All(Pieces, piece => Assert.Equal(message, Scan(body, piece)?.Message));
    }

    [Fact]
    public void An_unknown_name_of_64_characters_passes_and_of_65_is_refused()
    {
        Assert.All(Pieces, piece => Assert.Null(Scan($$"""{"{{new string('a', 64)}}":1}""", piece)));
        Assert.All(Pieces, piece => Assert.Contains("1-64 characters", Scan($$"""{"{{new string('a', 65)}}":1}""", piece)!.Message));
    }

    [Fact]
    public void A_name_too_long_is_refused_before_it_ends()
    {
        var scanner = new BodyStructureScanner(Text2VideoContract.Aggregator.Shape);
        var start = Encoding.UTF8.GetBytes("{\"" + new string('a', 1100));

        var violation = scanner.Advance(start, isFinalBlock: false);

        Assert.Equal("property names must be at most 64 characters", violation?.Message);
    }

    [Theory]
    [InlineData("Watermark")]
    [InlineData("water-mark")]
    [InlineData("wätermark")]
    [InlineData("")]
    public void An_unknown_name_outside_a_to_z_0_to_9_and_underscore_is_refused(string name)
    {
        Assert.All(Pieces, piece => Assert.Contains("a-z, 0-9 and _", Scan($$"""{{{Base}},"{{name}}":1}""", piece)!.Message));
    }

    [Fact]
    public void An_unknown_value_of_4096_bytes_passes_and_of_4097_is_refused_while_it_arrives()
    {
        var fits = "{\"extra\":\"" + new string('v', 4094) + "\"}";
        var over = "{\"extra\":\"" + new string('v', 4095) + "\"}";
        Assert.All(Pieces, piece => Assert.Null(Scan(fits, piece)));
        Assert.All(Pieces, piece => Assert.Equal("extra must be at most 4096 bytes of JSON", Scan(over, piece)?.Message));

        // Not yet complete, already too large.
        var scanner = new BodyStructureScanner(Text2VideoContract.Aggregator.Shape);
        Assert.NotNull(scanner.Advance(Encoding.UTF8.GetBytes("{\"extra\":\"" + new string('v', 5000)), isFinalBlock: false));
    }

    [Fact]
    public void An_unknown_value_four_levels_deep_passes_and_five_is_refused()
    {
        Assert.All(Pieces, piece => Assert.Null(Scan("""{"extra":[[[[1]]]]}""", piece)));
        Assert.All(Pieces, piece => Assert.Equal("extra must be at most 4 levels deep", Scan("""{"extra":[[[[[1]]]]]}""", piece)?.Message));
    }

    [Theory]
    [InlineData("""{"model":null}""", "model")]
    [InlineData("""{"camera_control":{"type":"simple","config":{"zoom":null}}}""", "camera_control")]
    [InlineData("""{"camera_control":{"type":"simple","config":{"zoom":[[[1]]]}}}""", "camera_control")]
    [InlineData("""{"prompt":"p","negative_prompt":null}""", "negative_prompt")]
    public void A_null_or_too_deep_known_field_is_refused_by_its_rule(string body, string field)
    {
        Assert.All(Pieces, piece => Assert.Equal(field, Scan(body, piece)?.RuleField));
    }

    [Fact]
    public void A_known_value_is_bounded_by_its_own_size()
    {
        var prompt = Text2VideoContract.Aggregator.Shape.ValueBytes("prompt")!.Value;
        Assert.Null(Scan("{\"prompt\":\"" + new string('p', prompt - 2) + "\"}", 4096));
        Assert.Equal("prompt", Scan("{\"prompt\":\"" + new string('p', prompt - 1) + "\"}", 4096)?.RuleField);
    }

    [Theory]
    [InlineData("Model", "Model is not a field: field names are case-sensitive (the field is model)")]
    [InlineData("CFG_SCALE", "CFG_SCALE is not a field: field names are case-sensitive (the field is cfg_scale)")]
    [InlineData("model_name", "model_name is not a field of this API: use model")]
    public void A_case_variant_or_a_shadowing_alias_is_refused_naming_it(string name, string message)
    {
        Assert.All(Pieces, piece => Assert.Equal(message, Scan($$"""{{{Base}},"{{name}}":"x"}""", piece)?.Message));
    }

    [Theory]
    [InlineData("""{"extra":1,"extra":2}""")]
    [InlineData("""{"prompt":"p","prompt":"q"}""")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("")]
    [InlineData("{\"model\":")]
    [InlineData("{} {}")]
    public void A_body_that_is_not_one_json_object_of_distinct_fields_is_not_parsable(string body)
    {
        Assert.All(Pieces, piece => Assert.Equal(Kling.Gateway.Errors.ErrorCodes.BodyNotParsable, Scan(body, piece)?.Code));
    }

    [Fact]
    public void The_first_refused_property_stops_the_scan_however_much_follows()
    {
        var scanner = new BodyStructureScanner(Text2VideoContract.Aggregator.Shape);
        var head = "{" + string.Concat(Enumerable.Range(1, 17).Select(i => $"\"x{i}\":{i},"));

        Assert.NotNull(scanner.Advance(Encoding.UTF8.GetBytes(head), isFinalBlock: false));
    }

    /// <summary>Feeds the body as <see cref="ReceivedBody"/> does: the bytes so far, a piece more each time.</summary>
    private static BodyViolation? Scan(string body, int piece)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var scanner = new BodyStructureScanner(Text2VideoContract.Aggregator.Shape);
        var received = 0;
        do
        {
            received = (int)Math.Min(bytes.Length, (long)received + piece);
            if (scanner.Advance(bytes.AsSpan(0, received), isFinalBlock: received == bytes.Length) is { } violation)
            {
                return violation;
            }
        }
        while (received < bytes.Length);

        return null;
    }
}
