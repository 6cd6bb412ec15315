using Kling.Gateway.Callbacks;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>
/// The delivery client over real loopback sockets: the address checked is the address connected to, and a refused
/// destination is never connected to. Only loopback is ever dialled (names resolve through a fixed table).
/// </summary>
public sealed class CallbackHttpTests
{
    [Fact]
    public async Task A_name_resolving_to_a_refused_address_is_not_connected_to()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var hosts = new HostsTable();
        hosts.Set("receiver.test", IPAddress.Loopback);
        using var http = Http(hosts.Resolver, networks: ["192.0.2.0/24"]);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://receiver.test:{receiver.BaseAddress.Port}/hooks");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.Invoker.SendAsync(request, CancellationToken.None));

        Assert.IsType<CallbackRefusedException>(error.InnerException);
        Assert.Contains("127.0.0.1", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, receiver.Count);
    }

    [Fact]
    public async Task The_connection_goes_to_the_address_checked_not_to_a_second_lookup()
    {
        await using var allowed = await CallbackReceiver.StartAsync("127.0.0.1");
        await using var rebound = await CallbackReceiver.StartAsync("127.0.0.2", allowed.BaseAddress.Port);
        // DNS rebinding: the name answers an allowed address once, then an internal one.
        var lookups = 0;
        HostResolver resolver = (_, _) => Task.FromResult(
            Interlocked.Increment(ref lookups) == 1 ? new[] { IPAddress.Loopback } : [IPAddress.Parse("127.0.0.2")]);
        using var http = Http(resolver, networks: ["127.0.0.1/32"]);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://receiver.test:{allowed.BaseAddress.Port}/hooks");
        using var answer = await http.Invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(1, lookups);
        Assert.Equal(1, allowed.Count);
        Assert.Equal(0, rebound.Count);
    }

    [Fact]
    public async Task A_new_connection_checks_the_name_again()
    {
        await using var receiver = await CallbackReceiver.StartAsync("127.0.0.2");
        var hosts = new HostsTable();
        hosts.Set("receiver.test", IPAddress.Parse("127.0.0.2"));
        using var http = Http(hosts.Resolver, networks: ["127.0.0.2/32"]);
        using var first = new HttpRequestMessage(HttpMethod.Post, $"http://receiver.test:{receiver.BaseAddress.Port}/hooks") { Headers = { ConnectionClose = true } };
        using var allowedAnswer = await http.Invoker.SendAsync(first, CancellationToken.None);

        // The name now points to an address the policy refuses: the next connection is not made.
        hosts.Set("receiver.test", IPAddress.Parse("127.0.0.3"));
        using var second = new HttpRequestMessage(HttpMethod.Post, $"http://receiver.test:{receiver.BaseAddress.Port}/hooks");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.Invoker.SendAsync(second, CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, allowedAnswer.StatusCode);
        Assert.IsType<CallbackRefusedException>(error.InnerException);
        Assert.Contains("127.0.0.3", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(1, receiver.Count);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var target = await CallbackReceiver.StartAsync("127.0.0.2");
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Answer = _ => (302, new Dictionary<string, string> { ["Location"] = target.Url() });
        using var http = Http(new HostsTable().Resolver, networks: ["127.0.0.0/8"]);

        using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url());
        using var answer = await http.Invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        Assert.Equal(1, receiver.Count);
        Assert.Equal(0, target.Count);
    }

    private static CallbackHttp Http(HostResolver resolver, List<string> networks)
    {
        var options = new FixedOptions<CallbacksOptions>(new CallbacksOptions { AllowedNetworks = networks });
        return new CallbackHttp(new CallbackAddresses(new CallbackPolicy(options), resolver));
    }
}
