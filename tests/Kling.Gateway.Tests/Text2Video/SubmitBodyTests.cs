using System.Text;
using System.Text.Json.Nodes;
using Kling.Gateway.BodyLimits;
using Kling.Gateway.Errors;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;
using Kling.Gateway.Text2Video;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class SubmitBodyTests
{
    private static readonly BodyBudget Budget = new(Options.Create(new BodyLimitsOptions { MaxBufferedBodyBytes = 64 * 1024 * 1024 }));

    private static readonly Text2VideoRules Rules = new(new FixedOptions<ModelsOptions>(new ModelsOptions { Models = ["kling-v1"] }));

    [Fact]
    public async Task A_valid_body_is_forwarded_as_sent_with_the_defaults_added_and_duration_as_a_string()
    {
        var (body, error) = await ReadAsync("""{"model":"kling-v1","prompt":"Ein Reh läuft","duration":10,"watermark":{"on":false}}""");

        Assert.Null(error);
        Assert.Equal("kling-v1", body!.Request.Model);
        var forwarded = Encoding.UTF8.GetString(body.Forwarded);
        Assert.Contains("Ein Reh läuft", forwarded, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"model":"kling-v1","prompt":"Ein Reh läuft","watermark":{"on":false},
                 "cfg_scale":5,"mode":"std","aspect_ratio":"16:9","duration":"10"}
                """),
            JsonNode.Parse(forwarded)));
    }

    [Fact]
    public async Task Given_values_are_kept_and_no_default_replaces_them()
    {
        var (body, _) = await ReadAsync("""{"model":"kling-v1","prompt":"p","cfg_scale":0,"mode":"pro","aspect_ratio":"1:1"}""");

        var forwarded = JsonNode.Parse(body!.Forwarded)!;
        Assert.Equal(0, (double)forwarded["cfg_scale"]!);
        Assert.Equal("pro", (string)forwarded["mode"]!);
        Assert.Equal("1:1", (string)forwarded["aspect_ratio"]!);
        Assert.Equal("5", (string)forwarded["duration"]!);
    }

    [Theory]
    [InlineData("""{"model":"kling-v1","prompt":"p","mode":1}""", ErrorCodes.ParameterInvalid, "mode must be one of: std, pro")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":101}""", ErrorCodes.ParameterInvalid, "cfg_scale must be a number between 0 and 100")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":null}""", ErrorCodes.ParameterInvalid, "cfg_scale must be a number between 0 and 100")]
    [InlineData("""{"model":"kling-v1","prompt":"p","Mode":"std"}""", ErrorCodes.ParameterInvalid, "Mode is not a field: field names are case-sensitive (the field is mode)")]
    [InlineData("""{"model":"kling-v1","prompt":"p",""", ErrorCodes.BodyNotParsable, null)]
    [InlineData("""[{"model":"kling-v1"}]""", ErrorCodes.BodyNotParsable, "request body must be a JSON object")]
    public async Task An_invalid_body_gets_the_error_naming_its_rule(string json, int code, string? message)
    {
        var (body, error) = await ReadAsync(json);

        Assert.Null(body);
        Assert.Equal(400, error!.Status);
        Assert.Equal(code, error.Code);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public async Task A_body_announced_larger_than_16_MiB_is_refused_unread_and_one_that_grows_past_it_is_cut()
    {
        var (_, announced) = await ReadAsync("{}", contentLength: SubmitBody.MaxBytes + 1L);
        Assert.Equal(413, announced!.Status);

        var grown = $$"""{"model":"kling-v1","prompt":"p","image_tail":"{{new string('A', SubmitBody.MaxBytes)}}"}""";
        var (_, cut) = await ReadAsync(grown, contentLength: null);
        Assert.Equal(413, cut!.Status);
    }

    [Fact]
    public async Task A_body_that_does_not_fit_the_budget_is_shed_with_503_and_retry_after()
    {
        var small = new BodyBudget(Options.Create(new BodyLimitsOptions { MaxBufferedBodyBytes = 1024 * 1024 }));
        var context = Context(SubmitWithPng(1_000_000));

        var (body, error) = await SubmitBody.ReadAsync(context.Request, Rules, Text2VideoContract.Aggregator, small, TimeSpan.FromSeconds(30), TimeProvider.System);

        Assert.Null(body);
        Assert.Equal((503, ErrorCodes.UpstreamUnavailable), (error!.Status, error.Code));
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_body_that_stops_arriving_gets_408_at_the_deadline_and_its_buffer_back()
    {
        var budget = new BodyBudget(Options.Create(new BodyLimitsOptions { MaxBufferedBodyBytes = 64 * 1024 * 1024 }));
        var context = new DefaultHttpContext();
        context.Request.Body = new StalledStream(Encoding.UTF8.GetBytes("""{"model":"kling-v1","prompt":"p","image_tail":"AAAA"""));
        context.Request.ContentLength = 1024 * 1024;

        var time = new FakeTimeProvider();

        var reading = SubmitBody.ReadAsync(context.Request, Rules, Text2VideoContract.Aggregator, budget, TimeSpan.FromSeconds(30), time);
        Assert.True(await Eventually.TrueAsync(() => budget.Held > 0));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(reading.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var (body, error) = await reading;

        Assert.Null(body);
        Assert.Equal((408, ErrorCodes.BodyNotParsable), (error!.Status, error.Code));
        Assert.Equal("close", context.Response.Headers.Connection.ToString());
        Assert.Equal(0, budget.Held);
    }

    private static async Task<(SubmitBody? Body, KlingErrorResult? Error)> ReadAsync(string json, long? contentLength = -1) =>
        await SubmitBody.ReadAsync(Context(json, contentLength).Request, Rules, Text2VideoContract.Aggregator, Budget, TimeSpan.FromSeconds(30), TimeProvider.System);

    private static DefaultHttpContext Context(string json, long? contentLength = -1)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = contentLength == -1 ? bytes.Length : contentLength;
        return context;
    }

    /// <summary>A body that sends its first bytes and then nothing, until the reader gives up.</summary>
    private sealed class StalledStream(byte[] start) : MemoryStream(start)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // A zero-byte read (the pipe waiting for data before it allocates) is answered at once.
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
