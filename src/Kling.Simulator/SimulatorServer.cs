using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Kling.Simulator;

/// <summary>A simulator listening on a free loopback port, for the gateway's built-in upstream and for tests.</summary>
internal sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public SimulatorFaults Faults => _app.Services.GetRequiredService<SimulatorFaults>();

    /// <param name="options">How the simulated account behaves.</param>
    /// <param name="time">The clock tasks advance on.</param>
    /// <param name="configure">Runs before the simulator's endpoints are mapped (tests add a recorder here).</param>
    public static async Task<SimulatorServer> StartAsync(
        SimulatorOptions options, TimeProvider time, Action<WebApplication>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddKlingSimulator();
        builder.Services.AddSingleton(time);
        builder.Services.Configure<SimulatorOptions>(o =>
        {
            o.Mode = options.Mode;
            o.ApiKey = options.ApiKey;
            o.AccessKey = options.AccessKey;
            o.SecretKey = options.SecretKey;
            o.ProcessingAfter = options.ProcessingAfter;
            o.FinishAfter = options.FinishAfter;
            o.VideoBaseUrl = options.VideoBaseUrl;
            o.FinalUnitDeduction = options.FinalUnitDeduction;
            o.Models = options.Models;
        });

        var app = builder.Build();
        configure?.Invoke(app);
        app.MapKlingSimulator();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SimulatorServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
