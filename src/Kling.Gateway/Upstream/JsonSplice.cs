namespace Kling.Gateway.Upstream;

/// <summary>
/// A copy of JSON bytes with some ranges replaced (an empty range inserts), made in one array of its final size.
/// Every byte outside the edits stays as it was: nothing is parsed or re-encoded.
/// </summary>
internal static class JsonSplice
{
    /// <param name="edits">In the order of the bytes they replace, none overlapping; edits at one place keep their order.</param>
    public static byte[] Apply(ReadOnlySpan<byte> source, params ReadOnlySpan<(Range At, ReadOnlyMemory<byte> Text)> edits)
    {
        var length = source.Length;
        foreach (var (at, text) in edits)
        {
            length += text.Length - at.GetOffsetAndLength(source.Length).Length;
        }

        var output = new byte[length];
        var written = 0;
        var position = 0;
        foreach (var (at, text) in edits)
        {
            var (offset, replaced) = at.GetOffsetAndLength(source.Length);
            source[position..offset].CopyTo(output.AsSpan(written));
            written += offset - position;
            text.Span.CopyTo(output.AsSpan(written));
            written += text.Length;
            position = offset + replaced;
        }

        source[position..].CopyTo(output.AsSpan(written));
        return output;
    }
}
