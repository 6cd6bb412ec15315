using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>
/// Strict contract types: every field takes only its documented JSON type and values (a number, boolean, array, object
/// or null in its place, or its name in another case, is 400 naming it), and unknown fields pass only within bounds.
/// Each refusal is shown to forward nothing.
/// </summary>
public abstract class StrictContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    private const string Base = "\"model\":\"kling-v1\",\"prompt\":\"p\"";

    /// <summary>Every field with each wrong JSON type in its place (cfg_scale and duration take numbers: a string and 7 instead).</summary>
    public static TheoryData<string, string> TypeConfusions()
    {
        var data = new TheoryData<string, string>();
        string[] fields =
        [
            "model", "prompt", "negative_prompt", "image_tail", "cfg_scale", "mode", "aspect_ratio", "duration",
            "camera_control", "callback_url", "external_task_id", "sound",
        ];
        foreach (var field in fields)
        {
            var number = field switch { "cfg_scale" => "\"5\"", "duration" => "7", _ => "1" };
            foreach (var value in new[] { number, "true", "false", "[]", "[\"std\"]", "{}", "{\"value\":\"std\"}", "null" })
            {
                data.Add(With(field, value), field);
            }
        }

        foreach (var value in new[] { "1", "0", "true", "[]", "{}", "null", "\"SIMPLE\"", "\"Simple\"" })
        {
            data.Add(With("camera_control", "{\"type\":" + value + ",\"config\":{\"zoom\":1}}"), "camera_control");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TypeConfusions))]
    public async Task A_field_of_the_wrong_json_type_gets_1201_naming_it(string body, string field)
    {
        var message = await AssertRejectedAsync(body, 1201);
        Assert.StartsWith(field, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model", "\"KLING-V1\"")]
    [InlineData("mode", "\"STD\"")]
    [InlineData("mode", "\"Pro\"")]
    [InlineData("mode", "0")]
    [InlineData("mode", "1")]
    [InlineData("aspect_ratio", "0")]
    [InlineData("aspect_ratio", "\"16:9 \"")]
    [InlineData("sound", "\"ON\"")]
    [InlineData("sound", "1")]
    [InlineData("sound", "true")]
    [InlineData("duration", "\"05\"")]
    [InlineData("duration", "5.0")]
    [InlineData("duration", "5e0")]
    [InlineData("duration", "10.0")]
    [InlineData("duration", "-5")]
    [InlineData("cfg_scale", "1e999")]
    [InlineData("cfg_scale", "-1e999")]
    public async Task An_enum_or_number_in_any_other_form_than_documented_gets_1201(string field, string value)
    {
        var message = await AssertRejectedAsync(With(field, value), 1201);
        Assert.StartsWith(field, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_camera_value_that_is_not_a_finite_number_gets_1201()
    {
        var message = await AssertRejectedAsync(With("camera_control", """{"type":"simple","config":{"zoom":1e999}}"""), 1201);
        Assert.StartsWith("camera_control", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Model", "model")]
    [InlineData("PROMPT", "prompt")]
    [InlineData("Prompt", "prompt")]
    [InlineData("Negative_Prompt", "negative_prompt")]
    [InlineData("Image_Tail", "image_tail")]
    [InlineData("CFG_SCALE", "cfg_scale")]
    [InlineData("Mode", "mode")]
    [InlineData("Aspect_Ratio", "aspect_ratio")]
    [InlineData("DURATION", "duration")]
    [InlineData("Camera_Control", "camera_control")]
    [InlineData("Callback_Url", "callback_url")]
    [InlineData("External_Task_Id", "external_task_id")]
    [InlineData("Sound", "sound")]
    public async Task A_field_name_in_another_case_gets_1201_naming_it(string variant, string field)
    {
        var message = await AssertRejectedAsync($$"""{{{Base}},"{{variant}}":"x"}""", 1201);
        Assert.StartsWith(variant, message, StringComparison.Ordinal);
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_name_in_another_case_inside_camera_control_gets_1201()
    {
        var message = await AssertRejectedAsync(With("camera_control", """{"type":"down_back","Type":"simple"}"""), 1201);
        Assert.StartsWith("camera_control", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model_name")]
    [InlineData("Model_Name")]
    public async Task An_alias_that_would_shadow_the_model_gets_1201_naming_it(string alias)
    {
        var message = await AssertRejectedAsync($$"""{{{Base}},"{{alias}}":"kling-v3"}""", 1201);
        Assert.StartsWith(alias, message, StringComparison.Ordinal);
        Assert.Contains("model", message[alias.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sixteen_unknown_fields_are_forwarded_and_a_seventeenth_gets_1201()
    {
        var sixteen = string.Concat(Enumerable.Range(1, 16).Select(i => $",\"extra_{i}\":{i}"));

        var forwarded = await AssertForwardedAsync($"{{{Base}{sixteen}}}");
        Assert.All(Enumerable.Range(1, 16), i => Assert.Equal(i, (int)forwarded[$"extra_{i}"]!));

        var message = await AssertRejectedAsync($"{{{Base}{sixteen},\"extra_17\":17}}", 1201);
        Assert.StartsWith("extra_17", message, StringComparison.Ordinal);
        Assert.Contains("16", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_name_of_64_characters_is_forwarded_and_of_65_gets_1201()
    {
        var name = new string('a', 63) + "_";
        Assert.True(await AssertForwardedAsync($$"""{{{Base}},"{{name}}":true}""") is var body && (bool)body[name]!);

        var message = await AssertRejectedAsync($$"""{{{Base}},"{{name}}b":true}""", 1201);
        Assert.Contains("1-64 characters", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_very_long_unknown_name_is_refused_before_it_has_all_arrived()
    {
        var message = await AssertRejectedAsync($$"""{{{Base}},"{{new string('a', 100_000)}}":1}""", 1201);
        Assert.Contains("64 characters", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Watermark")]
    [InlineData("water-mark")]
    [InlineData("water mark")]
    [InlineData("wätermark")]
    [InlineData("x\\u0000")]
    public async Task An_unknown_name_outside_a_to_z_0_to_9_and_underscore_gets_1201(string name)
    {
        var message = await AssertRejectedAsync($$"""{{{Base}},"{{name}}":1}""", 1201);
        Assert.Contains("a-z, 0-9 and _", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_value_of_4096_bytes_is_forwarded_and_of_4097_gets_1201()
    {
        // The value's JSON text, quotes included.
        var value = "\"" + new string('v', 4094) + "\"";
        var body = await AssertForwardedAsync($$"""{{{Base}},"extra":{{value}}}""");
        Assert.Equal(4094, ((string)body["extra"]!).Length);

        var message = await AssertRejectedAsync($$"""{{{Base}},"extra":"{{new string('v', 4095)}}"}""", 1201);
        Assert.StartsWith("extra must be at most 4096 bytes", message, StringComparison.Ordinal);
        var array = "[" + string.Join(",", Enumerable.Repeat("1", 2048)) + "]";
        Assert.Equal(4097, array.Length);
        await AssertRejectedAsync($$"""{{{Base}},"extra":{{array}}}""", 1201);
    }

    [Fact]
    public async Task An_unknown_value_four_levels_deep_is_forwarded_and_five_gets_1201()
    {
        var body = await AssertForwardedAsync("{" + Base + ""","extra":{"a":[{"b":[1,null]}]}}""");
        Assert.Equal(1, (int)body["extra"]!["a"]![0]!["b"]![0]!);

        var message = await AssertRejectedAsync("{" + Base + ""","extra":{"a":[{"b":[[1]]}]}}""", 1201);
        Assert.StartsWith("extra must be at most 4 levels deep", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_field_nested_too_deep_gets_1201_naming_it()
    {
        var message = await AssertRejectedAsync(With("camera_control", """{"type":"simple","config":{"zoom":[[[1]]]}}"""), 1201);
        Assert.StartsWith("camera_control", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"kling-v1","prompt":"p","extra":1,"extra":2}""")]
    [InlineData("""{"model":"kling-v1","prompt":"p","prompt":"q"}""")]
    public async Task A_duplicate_field_gets_1200(string body)
    {
        await AssertRejectedAsync(body, 1200);
    }

    private static string With(string field, string value) => field switch
    {
        "model" => $$"""{"model":{{value}},"prompt":"p"}""",
        "prompt" => $$"""{"model":"kling-v1","prompt":{{value}}}""",
        _ => $$"""{{{Base}},"{{field}}":{{value}}}""",
    };

    private async Task<JsonObject> AssertForwardedAsync(string body)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(fixture.Upstream.Since(mark)).JsonBody;
    }

    private async Task<string> AssertRejectedAsync(string body, int code)
    {
        var mark = fixture.Upstream.Arrived;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(body));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, code);
        Assert.Equal(mark, fixture.Upstream.Arrived);
        return message;
    }
}

public sealed class StrictContractTestsOnAggregator(GatewayFixture fixture) : StrictContractTests<GatewayFixture>(fixture);

public sealed class StrictContractTestsOnOfficialApi(OfficialGatewayFixture fixture) : StrictContractTests<OfficialGatewayFixture>(fixture);
