using System.Text;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class KlingEnvelopeTests
{
    [Theory]
    [InlineData("""{"code":0,"message":"SUCCEED","request_id":"up-1","data":{"request_id":"inner"}}""",
        """{"code":0,"message":"success","request_id":"gw-1","data":{"request_id":"inner"}}""", "up-1")]
    [InlineData("""{"code":0,"data":{"task_id":"1"}}""",
        """{"request_id":"gw-1","message":"success","code":0,"data":{"task_id":"1"}}""", null)]
    [InlineData(""" { "request_id" : "up-2", "code" : 1303, "message" : "parallel task limit exceeded" }""",
        """ { "request_id" : "gw-1", "code" : 1303, "message" : "parallel task limit exceeded" }""", "up-2")]
    [InlineData("""{}""", """{"request_id":"gw-1"}""", null)]
    [InlineData("""{"request_id":7,"code":5000}""", """{"request_id":"gw-1","code":5000}""", null)]
    [InlineData("""{"code":0,"message":{"text":"ok","n":[1,2]},"request_id":["up-3",{"a":1}],"data":{"task_id":"1"}}""",
        """{"code":0,"message":"success","request_id":"gw-1","data":{"task_id":"1"}}""", null)]
    public void The_client_gets_the_gateways_request_id_and_success_for_code_0(string upstream, string expected, string? upstreamRequestId)
    {
        var body = KlingEnvelope.ForClient(Encoding.UTF8.GetBytes(upstream), "gw-1", out var upstreamId);

        Assert.Equal(expected, Encoding.UTF8.GetString(body));
        Assert.Equal(upstreamRequestId, upstreamId);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void What_is_not_an_object_is_left_alone(string answer)
    {
        var bytes = Encoding.UTF8.GetBytes(answer);

        Assert.Same(bytes, KlingEnvelope.ForClient(bytes, "gw-1", out _));
    }

    [Fact]
    public void An_error_envelope_escapes_its_message()
    {
        var body = KlingEnvelope.Error(1201, "say \"hi\"", null);

        Assert.Equal("""{"code":1201,"message":"say \"hi\""}""", Encoding.UTF8.GetString(body));
    }
}
