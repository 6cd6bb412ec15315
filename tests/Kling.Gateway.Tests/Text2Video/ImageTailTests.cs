using System.Text;
using System.Text.Json;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Tests.Text2Video;

public sealed class ImageTailTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly byte[] JpegStart = [0xFF, 0xD8, 0xFF, 0xE0];

    [Theory]
    [InlineData("https://images.example.com/tail.png")]
    [InlineData("http://images.example.com/tail.jpg?size=large")]
    [InlineData("HTTPS://images.example.com/tail.png")]
    public void An_http_url_is_accepted(string url)
    {
        Assert.True(ImageTail.Accepts(Encoding.UTF8.GetBytes(url)));
    }

    [Theory]
    [InlineData("https://")]
    [InlineData("ftp://images.example.com/tail.png")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("R0lGODlhAQABAAAAACw=")]
    [InlineData("data:image/gif;base64,R0lGODlhAQABAAAAACw=")]
    [InlineData("data:image/png,iVBORw0KGgo=")]
    public void Anything_else_than_a_url_or_jpeg_or_png_data_is_refused(string value)
    {
        Assert.False(ImageTail.Accepts(Encoding.UTF8.GetBytes(value)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("data:image/png;base64,")]
    [InlineData("data:IMAGE/PNG;BASE64,")]
    public void Png_data_raw_or_with_a_data_prefix_is_accepted(string prefix)
    {
        Assert.True(ImageTail.Accepts(Encoding.UTF8.GetBytes(prefix + Convert.ToBase64String(Image(PngSignature, 64)))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("data:image/jpeg;base64,")]
    [InlineData("data:image/jpg;base64,")]
    public void Jpeg_data_raw_or_with_a_data_prefix_is_accepted(string prefix)
    {
        Assert.True(ImageTail.Accepts(Encoding.UTF8.GetBytes(prefix + Convert.ToBase64String(Image(JpegStart, 64)))));
    }

    [Fact]
    public void Data_of_10_MB_decoded_is_accepted_and_one_byte_more_is_refused()
    {
        Assert.True(ImageTail.Accepts(Encoding.ASCII.GetBytes(Convert.ToBase64String(Image(PngSignature, ImageTail.MaxImageBytes)))));
        Assert.False(ImageTail.Accepts(Encoding.ASCII.GetBytes(Convert.ToBase64String(Image(PngSignature, ImageTail.MaxImageBytes + 1)))));
    }

    [Fact]
    public void The_converter_reads_escaped_text_and_refuses_any_other_json_type()
    {
        var request = JsonSerializer.Deserialize(
            """{"image_tail":"https:\/\/images.example.com\/tail.png"}""", ContractJsonContext.Default.Text2VideoRequest);
        Assert.True(request!.ImageTail!.IsValid);

        foreach (var json in new[] { "1", "true", "[]", "{}" })
        {
            Assert.Throws<JsonException>(
                () => JsonSerializer.Deserialize($$"""{"image_tail":{{json}}}""", ContractJsonContext.Default.Text2VideoRequest));
        }
    }

    private static byte[] Image(byte[] start, int length)
    {
        var image = new byte[length];
        start.CopyTo(image, 0);
        return image;
    }
}
