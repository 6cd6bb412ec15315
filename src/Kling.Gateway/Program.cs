using Kling.Gateway.BodyLimits;
using Kling.Gateway.Callbacks;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.OpenApi;
using Kling.Gateway.Polling;
using Kling.Gateway.RateLimiting;
using Kling.Gateway.Recovery;
using Kling.Gateway.Storage;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Text2Video;
using Kling.Gateway.Upstream;
using Kling.Gateway.Usage;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Compact;

// Bootstrap logger: start-up failures are logged before configuration is read.
Log.Logger = new LoggerConfiguration().WriteTo.Console(new RenderedCompactJsonFormatter()).CreateLogger();
try
{
    // Content root = the build output, where the repository's appsettings.json is copied, however the gateway is started.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddObservability();
    builder.AddBodyLimits();
    builder.AddTenancy();
    builder.AddStorage();
    builder.AddTenantRateLimits();
    builder.AddTasks();
    builder.AddPolling();
    builder.AddUpstream();
    builder.AddRecovery();
    builder.AddUsage();
    builder.AddText2Video();
    builder.AddCallbacks();
    builder.AddOpenApiDocs();

    var app = builder.Build();
    // Fail fast on bad configuration with one clear line, before the host starts anything.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    app.UseObservability();
    app.UseKlingErrors();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapOpenApiDocs();
    app.MapHealth();
    app.MapText2Video();
    app.MapUsage();
    app.MapCallbacks();

    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    Log.Fatal("Invalid configuration: {Failures}", string.Join("; ", ex.Failures));
    return 2;
}
catch (Exception ex) when (ConfigurationFailure.TryDescribe(ex, out var failure))
{
    Log.Fatal("Invalid configuration: {Failures}", failure);
    return 2;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "The gateway stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
