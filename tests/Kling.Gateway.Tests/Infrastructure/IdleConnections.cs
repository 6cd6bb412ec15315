using System.Diagnostics;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A process of its own (bash, through <c>/dev/tcp</c>) that opens many TCP connections to a loopback address and holds
/// them idle, sending nothing, until disposed: more than the test process itself could hold under the open-file limit.
/// </summary>
internal sealed class IdleConnections : IDisposable
{
    // Opens $1 connections to 127.0.0.1:$0, each on a file descriptor of its own, then says so and waits.
    private const string Script = """for ((i = 0; i < $1; i++)); do exec {fd}<>"/dev/tcp/127.0.0.1/$0" || exit 1; done; echo open; read -r _""";

    private readonly Process _process;

    private IdleConnections(Process process) => _process = process;

    public static IdleConnections Open(Uri address, int count)
    {
        var start = new ProcessStartInfo("bash", ["-c", Script, address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), count.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return new IdleConnections(Process.Start(start)!);
    }

    /// <summary>"open" once every connection is established (bounded: empty if the holder failed or took over a minute).</summary>
    public async Task<string> OpenedAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await _process.StandardOutput.ReadLineAsync(bounded.Token) ?? "";
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
