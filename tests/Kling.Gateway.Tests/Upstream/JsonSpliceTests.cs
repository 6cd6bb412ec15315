using System.Text;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class JsonSpliceTests
{
    [Fact]
    public void Ranges_are_replaced_and_empty_ranges_insert_in_their_order_with_every_other_byte_kept()
    {
        var source = Encoding.UTF8.GetBytes("""{"a":"é","b":1}""");
        var a = IndexOf(source, "\"é\"");

        var spliced = JsonSplice.Apply(source,
            (1..1, Bytes("\"first\":0,")),
            (1..1, Bytes("\"second\":0,")),
            (a..(a + 4), Bytes("\"replaced\"")),
            (^1..^1, Bytes(",\"last\":true")));

        Assert.Equal("""{"first":0,"second":0,"a":"replaced","b":1,"last":true}""", Encoding.UTF8.GetString(spliced));
        Assert.Equal(Encoding.UTF8.GetString(source), Encoding.UTF8.GetString(JsonSplice.Apply(source)));
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static int IndexOf(byte[] source, string text) => source.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
}
