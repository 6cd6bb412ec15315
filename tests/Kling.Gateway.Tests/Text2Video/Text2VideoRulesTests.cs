using Kling.Gateway.Tests.Infrastructure;
using Kling.Gateway.Text2Video;
using static Kling.Gateway.Text2Video.Text2VideoContract;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class Text2VideoRulesTests
{
    private static readonly Text2VideoRules Rules = new(new FixedOptions<ModelsOptions>(new ModelsOptions { Models = ["kling-v1", "kling-v3"] }));

    private static readonly Text2VideoRequest Valid = new() { Model = "kling-v1", Prompt = "A deer" };

    [Fact]
    public void A_request_with_a_configured_model_and_a_prompt_is_valid()
    {
        Assert.Null(Rules.FindViolation(Valid, Aggregator));
        Assert.Null(Rules.FindViolation(Valid with { Model = "kling-v3", CfgScale = 100, NegativePrompt = new string('n', 2500) }, Aggregator));
    }

    // Keyed by a readable case name: the request type is internal, so it cannot be a public theory's parameter.
    private static readonly Dictionary<string, (Text2VideoRequest Request, string Field)> Cases = new[]
    {
        (Valid with { Model = null }, "model"),
        (Valid with { Model = "kling-v9" }, "model"),
        (Valid with { Model = "KLING-V1" }, "model"),
        (Valid with { Prompt = null }, "prompt"),
        (Valid with { Prompt = " \t" }, "prompt"),
        (Valid with { Prompt = new string('p', 2501) }, "prompt"),
        (Valid with { NegativePrompt = new string('n', 2501) }, "negative_prompt"),
        (Valid with { ImageTail = new ImageTail(false) }, "image_tail"),
        (Valid with { CfgScale = -0.001 }, "cfg_scale"),
        (Valid with { CfgScale = 100.001 }, "cfg_scale"),
        (Valid with { CameraControl = new CameraControl() }, "camera_control"),
        (Valid with { CameraControl = new CameraControl { Type = CameraMovement.Simple } }, "camera_control.config"),
        (Valid with { CameraControl = new CameraControl { Type = CameraMovement.Simple, Config = new CameraConfig() } }, "camera_control.config"),
        (Valid with { CameraControl = new CameraControl { Type = CameraMovement.Simple, Config = new CameraConfig { Pan = 1, Zoom = 1 } } }, "camera_control.config"),
        (Valid with { CameraControl = new CameraControl { Type = CameraMovement.Simple, Config = new CameraConfig { Roll = 10.5 } } }, "camera_control.config"),
        (Valid with { CameraControl = new CameraControl { Type = CameraMovement.DownBack, Config = new CameraConfig { Pan = 1 } } }, "camera_control"),
        (Valid with { CallbackUrl = "ftp://hooks.example.com/x" }, "callback_url"),
        (Valid with { CallbackUrl = "/relative" }, "callback_url"),
        (Valid with { ExternalTaskId = "" }, "external_task_id"),
        (Valid with { ExternalTaskId = new string('e', 129) }, "external_task_id"),
    }.Select((c, i) => ($"{i:00} {c.Item2}", c)).ToDictionary(c => c.Item1, c => c.c);

    public static TheoryData<string> Violations() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Violations))]
    public void The_first_broken_rule_is_named(string name)
    {
        var (request, field) = Cases[name];
        Assert.Equal(Rules.RuleFor(field, Aggregator), Rules.FindViolation(request, Aggregator));
    }

    [Fact]
    public void Each_bound_holds_at_its_edge()
    {
        Assert.Null(Rules.FindViolation(Valid with { Prompt = new string('p', 2500), CfgScale = 0 }, Aggregator));
        Assert.Null(Rules.FindViolation(Valid with { ExternalTaskId = new string('e', 128) }, Aggregator));
        Assert.Null(Rules.FindViolation(Valid with
        {
            CameraControl = new CameraControl { Type = CameraMovement.Simple, Config = new CameraConfig { Zoom = -10, Pan = 0 } },
        }, Aggregator));
    }

    [Fact]
    public void An_emoji_counts_as_one_character()
    {
        var emoji = string.Concat(Enumerable.Repeat("🦌", 2500));
        Assert.Null(Rules.FindViolation(Valid with { Prompt = emoji }, Aggregator));
        Assert.NotNull(Rules.FindViolation(Valid with { Prompt = emoji + "x" }, Aggregator));
    }

    [Theory]
    [InlineData("model", "model is required and must be one of: kling-v1, kling-v3")]
    [InlineData("cfg_scale", "cfg_scale must be a number between 0 and 100")]
    [InlineData("camera_control.type", "camera_control must be an object whose type is simple, down_back, forward_up, right_turn_forward or left_turn_forward; config is allowed only with simple")]
    [InlineData("mode", "mode must be one of: std, pro")]
    [InlineData("duration", "duration must be \"5\" or \"10\"")]
    public void Each_rule_text_names_its_field(string field, string rule)
    {
        Assert.Equal(rule, Rules.RuleFor(field, Aggregator));
    }

    [Fact]
    public void A_path_below_camera_config_gets_the_config_rule_and_an_unknown_field_a_generic_one()
    {
        Assert.Equal(Rules.RuleFor("camera_control.config", Aggregator), Rules.RuleFor("camera_control.config.pan", Aggregator));
        Assert.Equal("watermark is invalid", Rules.RuleFor("watermark", Aggregator));
    }
}
