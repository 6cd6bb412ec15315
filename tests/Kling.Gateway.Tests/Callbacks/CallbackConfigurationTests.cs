using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>Callback settings as an operator sets them: environment variables, checked at start-up.</summary>
public sealed class CallbackConfigurationTests
{
    [Theory]
    [InlineData("Tenants__0__WebhookSecrets__0", "whsec_tooshort", "Tenants:0:WebhookSecrets:0 must be whsec_ followed by the base64 of 24 to 64 random bytes")]
    [InlineData("Tenants__0__WebhookSecrets__0", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Tenants:0:WebhookSecrets:0 must be whsec_")]
    [InlineData("Callbacks__AllowedNetworks__0", "10.20.0.0/40", "Callbacks:AllowedNetworks must hold networks in CIDR form")]
    [InlineData("Callbacks__AllowedHosts__0", "hooks example", "Callbacks:AllowedHosts must hold host names or *.suffix patterns")]
    [InlineData("Callbacks__PublicBaseUrl", "ftp://gateway.example", "Callbacks:PublicBaseUrl must be empty or an absolute http(s) URL without a query")]
    public async Task A_malformed_callback_setting_stops_the_process_with_one_line_naming_the_key_not_the_secret(string key, string value, string expected)
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            [key] = value,
        });

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(expected, fatal, StringComparison.Ordinal);
        if (key.Contains("WebhookSecrets", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value, fatal.Replace(expected, "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }
}
