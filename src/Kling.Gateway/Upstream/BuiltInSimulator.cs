using System.Security.Cryptography;
using Kling.Simulator;

namespace Kling.Gateway.Upstream;

/// <summary>
/// With no <c>Upstream:BaseUrl</c>, starts the Kling simulator on a loopback port and points the gateway at it,
/// so the gateway runs with no Kling account. Its credentials are random per process: nobody else can call it.
/// </summary>
internal sealed partial class BuiltInSimulator(
    UpstreamTarget target, TimeProvider time, IConfiguration configuration, ILogger<BuiltInSimulator> logger) : IHostedService, IAsyncDisposable
{
    private SimulatorServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!target.UsesBuiltInSimulator)
        {
            return;
        }

        var options = configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
        options.Mode = target.Mode == UpstreamMode.Official ? SimulatorMode.Official : SimulatorMode.Aggregator;
        options.ApiKey = RandomNumberGenerator.GetHexString(32);
        options.AccessKey = RandomNumberGenerator.GetHexString(32);
        options.SecretKey = RandomNumberGenerator.GetHexString(64);
        _server = await SimulatorServer.StartAsync(options, time, cancellationToken: cancellationToken);
        target.UseBuiltInSimulator(_server.BaseAddress, options.ApiKey, options.AccessKey, options.SecretKey);
        LogUsingSimulator(logger, _server.BaseAddress, target.Mode,
            target.Mode == UpstreamMode.Official ? "Upstream:AccessKey and Upstream:SecretKey" : "Upstream:ApiKey");
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Upstream:BaseUrl is empty: forwarding to the built-in Kling simulator ({UpstreamMode} mode) at {SimulatorAddress}. No real videos are generated; set Upstream:BaseUrl and {CredentialKeys:l} for the real API")]
    private static partial void LogUsingSimulator(ILogger logger, Uri simulatorAddress, UpstreamMode upstreamMode, string credentialKeys);
}
