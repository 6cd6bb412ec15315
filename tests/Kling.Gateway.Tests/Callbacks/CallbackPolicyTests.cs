using Kling.Gateway.Callbacks;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>The SSRF policy on resolved addresses (pure: nothing is connected to).</summary>
public sealed class CallbackPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("::1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("::10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void Internal_addresses_in_every_form_are_refused_by_default(string address)
    {
        var policy = Policy();
        Assert.True(CallbackPolicy.IsRefusedByDefault(IPAddress.Parse(address)));
        Assert.NotNull(policy.Refusal("hooks.example", [IPAddress.Parse(address)]));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:93.184.216.34")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(Policy().Refusal("hooks.example", [IPAddress.Parse(address)]));

    [Fact]
    public void One_internal_address_among_public_ones_refuses_the_host() =>
        Assert.NotNull(Policy().Refusal("hooks.example", [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.1.2.3")]));

    [Fact]
    public void A_host_that_does_not_resolve_is_refused() => Assert.NotNull(Policy().Refusal("nowhere.example", []));

    [Fact]
    public void Allowed_networks_admit_their_addresses_only_including_mapped_forms()
    {
        var policy = Policy(networks: ["10.20.0.0/16", "127.0.0.1/32"]);
        Assert.Null(policy.Refusal("svc", [IPAddress.Parse("10.20.3.4")]));
        Assert.Null(policy.Refusal("svc", [IPAddress.Parse("::ffff:10.20.3.4")]));
        Assert.Null(policy.Refusal("svc", [IPAddress.Parse("127.0.0.1")]));
        Assert.NotNull(policy.Refusal("svc", [IPAddress.Parse("10.21.0.1")]));
        Assert.NotNull(policy.Refusal("svc", [IPAddress.Parse("127.0.0.2")]));
        Assert.NotNull(policy.Refusal("svc", [IPAddress.Parse("169.254.169.254")]));
    }

    [Fact]
    public void Allowed_hosts_match_exact_names_and_suffixes_but_not_lookalikes()
    {
        var policy = Policy(hosts: ["hooks.internal.example", "*.svc.cluster.local"]);
        IPAddress[] internalAddress = [IPAddress.Parse("10.0.0.7")];
        Assert.Null(policy.Refusal("hooks.internal.example", internalAddress));
        Assert.Null(policy.Refusal("HOOKS.internal.example.", internalAddress));
        Assert.Null(policy.Refusal("orders.team.svc.cluster.local", internalAddress));
        Assert.NotNull(policy.Refusal("svc.cluster.local", internalAddress));
        Assert.NotNull(policy.Refusal("evilsvc.cluster.local", internalAddress));
        Assert.NotNull(policy.Refusal("hooks.internal.example.evil.test", internalAddress));
    }

    private static CallbackPolicy Policy(List<string>? networks = null, List<string>? hosts = null) =>
        new(new FixedOptions<CallbacksOptions>(new CallbacksOptions { AllowedNetworks = networks ?? [], AllowedHosts = hosts ?? [] }));
}
