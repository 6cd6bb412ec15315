using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Tests.Tenancy;

public sealed class AuthenticatedTenantsTests
{
    [Fact]
    public async Task Each_tenant_gets_its_own_principal_made_once()
    {
        var authenticated = new AuthenticatedTenants();

        var first = await authenticated.For("video-team");
        var again = await authenticated.For("video-team");
        var other = await authenticated.For("ads-team");

        Assert.True(first.Succeeded);
        Assert.Same(first, again);
        Assert.Equal("video-team", first.Principal!.GetTenantId());
        Assert.Equal("video-team", first.Principal.Identity!.Name);
        Assert.Equal(GatewayKeyAuthenticationHandler.SchemeName, first.Ticket!.AuthenticationScheme);
        Assert.Equal("ads-team", other.Principal!.GetTenantId());
        Assert.NotSame(first.Principal, other.Principal);
    }
}
