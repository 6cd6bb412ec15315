using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class PlaceholderKeyTests
{
    [Theory]
    [InlineData("REPLACE-with-the-upstream-api-key")]
    [InlineData("  replace_me")]
    [InlineData("sk-change-me")]
    [InlineData("CHANGEME-0123456789")]
    [InlineData("an-Example-key")]
    public void Template_values_are_placeholders(string value) => Assert.True(PlaceholderKey.Is(value));

    [Theory]
    [InlineData("")]
    [InlineData("sk-3f9a1c0e7b2d4a6f8e1c3b5d7f9a0c2e")]
    [InlineData("key-that-mentions-replacement-later")]
    [InlineData("change-m3")]
    public void Real_looking_values_are_not(string value) => Assert.False(PlaceholderKey.Is(value));
}
