using System.Diagnostics;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>The built gateway run as its own process, configured by environment variables alone, as operators deploy it.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _output = new();

    private readonly string _databasePath;

    private GatewayProcess(Process process, Uri address, Uri metricsAddress, string databasePath)
    {
        _process = process;
        Address = address;
        MetricsAddress = metricsAddress;
        _databasePath = databasePath;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    /// <summary>Where its <c>/metrics</c> listener is (its own port).</summary>
    public Uri MetricsAddress { get; }

    /// <summary>False for a gateway whose database a later one (a restart) reopens.</summary>
    public bool DeleteDatabaseOnDispose { get; set; } = true;

    private static string DatabasePath { get; } =
        Path.Combine(Path.GetTempPath(), "kling-gateway-tests", "process-" + Environment.ProcessId + ".db");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The gateway's resident memory now and at its peak, in bytes (from <c>/proc</c>).</summary>
    public (long Current, long Peak) ResidentBytes()
    {
        long current = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (current, peak);

        static long Kilobytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Files (sockets included) the gateway holds open now, from <c>/proc</c>.</summary>
    public int OpenFiles => Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;

    /// <param name="environment">Configuration, as environment variables.</param>
    /// <param name="memoryGroup">A cgroup v1 memory group directory the process enters before the runtime starts (so it sizes its heap from that limit).</param>
    public static GatewayProcess Start(IDictionary<string, string> environment, string? memoryGroup = null)
    {
        var address = new Uri($"http://127.0.0.1:{Loopback.FreePort()}");
        var metricsPort = Loopback.FreePort();
        var gateway = Path.Combine(AppContext.BaseDirectory, "Kling.Gateway.dll");
        var start = memoryGroup is null
            ? new ProcessStartInfo("dotnet", gateway)
            : new ProcessStartInfo("/bin/sh", ["-c", "echo $$ > \"$0/cgroup.procs\" && exec dotnet \"$1\"", memoryGroup, gateway]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        // A database of its own, not the one next to the binaries (which would outlive the test run).
        start.Environment["Store__Sqlite__Path"] = DatabasePath;
        start.Environment["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var metricsAddress = new Uri($"http://127.0.0.1:{start.Environment["Metrics__Port"]}");
        return new GatewayProcess(Process.Start(start)!, address, metricsAddress, start.Environment["Store__Sqlite__Path"]!);
    }

    /// <summary>
    /// A ready gateway in front of <paramref name="upstream"/> (which takes <see cref="RecordingUpstream.ApiKey"/>), serving
    /// <see cref="TestKeys.TenantA"/> and <see cref="TestKeys.TenantB"/>, with <paramref name="settings"/> on top.
    /// </summary>
    public static async Task<GatewayProcess> StartReadyAsync(Uri upstream, IDictionary<string, string>? settings = null, string? memoryGroup = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Upstream__BaseUrl"] = upstream.ToString(),
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Tenants__0__Id"] = "tenant-a",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            ["Tenants__1__Id"] = "tenant-b",
            ["Tenants__1__ApiKeys__0"] = TestKeys.TenantB,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var gateway = Start(environment, memoryGroup);
        try
        {
            await gateway.WaitUntilReadyAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the process whose answers are checked against the document it serves (<see cref="ConformingAnswers"/>).</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new(new ConformingAnswers(ConformingAnswers.Served(Address), new SocketsHttpHandler()))
        {
            BaseAddress = Address,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };

    /// <summary>Waits (bounded) until the gateway answers its readiness probe.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300 && !_process.HasExited; attempt++)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too busy starting to answer within the probe's timeout
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"the gateway did not become ready (exited: {_process.HasExited}{(_process.HasExited ? ", code " + _process.ExitCode : "")}):\n" + Output);
    }

    /// <summary>Waits (bounded) until the process has written <paramref name="text"/>; the output is read asynchronously.</summary>
    public async Task<bool> WaitForOutputAsync(string text)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>): nothing is flushed, nothing is released.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits (bounded) for the process to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>The one line a start-up refused by its configuration wrote, after checking that the process failed.</summary>
    public async Task<string> RefusalLineAsync()
    {
        Assert.NotEqual(0, await WaitForExitAsync());
        return Assert.Single(Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        foreach (var suffix in DeleteDatabaseOnDispose ? new[] { "", "-wal", "-shm" } : [])
        {
            File.Delete(_databasePath + suffix);
        }
    }


    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.WriteLine(line);
        }
    }
}
