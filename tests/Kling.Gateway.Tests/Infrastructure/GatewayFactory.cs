using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Serilog.Core;
using Swashbuckle.AspNetCore.Swagger;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (its Program, configuration files and pipeline) on a real Kestrel socket on loopback,
/// in the Production environment, configured like an operator would: through configuration keys.
/// </summary>
internal sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private Task<IReadOnlyList<string>>? _documents;

    public GatewayFactory(Uri? upstream, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = new Dictionary<string, string?>
        {
            // Each gateway its own database, unless a test shares one on purpose (a restart).
            ["Store:Sqlite:Path"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kling-gateway-tests", Guid.NewGuid().ToString("N") + ".db"),
            // Generous defaults: only the limit tests set limits that bite.
            ["Limits:SubmitsPerMinute"] = "100000",
            ["Limits:QueriesPerMinute"] = "100000",
            ["Limits:MaxActiveTasks"] = "100000",
            // Metrics on a port of their own that the system picks (tests run side by side).
            ["Metrics:Port"] = "0",
            // Every poll asks the upstream, unless a test is about polling.
            ["Polling:MinInterval"] = "00:00:00",
            ["Upstream:BaseUrl"] = upstream?.ToString() ?? "",
            ["Upstream:ApiKey"] = upstream is null ? "" : RecordingUpstream.ApiKey,
            ["Upstream:AccessKey"] = upstream is null ? "" : RecordingUpstream.AccessKey,
            ["Upstream:SecretKey"] = upstream is null ? "" : RecordingUpstream.SecretKey,
            ["Tenants:0:Id"] = "tenant-a",
            ["Tenants:0:ApiKeys:0"] = TestKeys.TenantA,
            ["Tenants:0:AccessKeys:0:AccessKey"] = TestKeys.TenantAAccessKey,
            ["Tenants:0:AccessKeys:0:SecretKey"] = TestKeys.TenantASecretKey,
            ["Tenants:1:Id"] = "tenant-b",
            ["Tenants:1:ApiKeys:0"] = TestKeys.TenantB,
            ["Tenants:1:AccessKeys:0:AccessKey"] = TestKeys.TenantBAccessKey,
            ["Tenants:1:AccessKeys:0:SecretKey"] = TestKeys.TenantBSecretKey,
            ["Tenants:2:Id"] = "tenant-c",
            ["Tenants:2:ApiKeys:0"] = TestKeys.Sha256Form(TestKeys.TenantC),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        _services = services;
        UseKestrel(0);
    }

    public CapturedLogs Logs { get; } = new();

    /// <summary>The SQLite file this gateway keeps its tasks in.</summary>
    public string DatabasePath => _settings["Store:Sqlite:Path"]!;

    /// <summary>False for a gateway whose database a later gateway (a restart) reopens.</summary>
    public bool DeleteDatabaseOnDispose { get; init; } = true;

    /// <summary>A client of the gateway's real socket, authenticated as <paramref name="key"/> (none when null).</summary>
    public HttpClient CreateClient(string? key)
    {
        StartServer();
        var client = CreateDefaultClient(new ConformingAnswers(DocumentsAsync));
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>A client of the gateway's metrics listener (its own port, not the API's).</summary>
    public HttpClient CreateMetricsClient()
    {
        StartServer();
        var port = Services.GetRequiredService<Kling.Gateway.Observability.MetricsServer>().Port
            ?? throw new InvalidOperationException("metrics are disabled");
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    /// <summary>
    /// The documents this gateway serves, as its Swagger middleware writes them, read in process: fetching them would add
    /// requests of the test's own to the gateway's logs and metrics. Generated once per gateway, for all its clients.
    /// </summary>
    private Task<IReadOnlyList<string>> DocumentsAsync(CancellationToken cancellationToken) =>
        _documents ??= Task.FromResult<IReadOnlyList<string>>([.. ServedContract.DocumentNames.Select(name =>
        {
            using var text = new StringWriter();
            Services.GetRequiredService<ISwaggerProvider>().GetSwagger(name).SerializeAsV31(new OpenApiJsonWriter(text));
            return text.ToString();
        })]);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (DeleteDatabaseOnDispose)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(DatabasePath + suffix);
            }
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            _services?.Invoke(services);
        });
    }
}
