using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>A real <c>redis-server</c> on a free loopback port, without persistence; stoppable and restartable on the same port.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    public const string NotInstalledReason = "redis-server is not installed here (bash .ci/run installs it from Debian packages)";

    private static readonly Lazy<Task<RedisServer>> SharedServer = new(async () =>
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    });

    private Process? _process;

    private RedisServer(int port) => Port = port;

    public static string? Executable { get; } =
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>One server for the whole test run; tests keep apart by key prefix. Skips the test when Redis is not installed.</summary>
    public static Task<RedisServer> SharedAsync()
    {
        Skip.If(Executable is null, NotInstalledReason);
        return SharedServer.Value;
    }

    /// <summary>A server of the test's own (for tests that stop it). Skips the test when Redis is not installed.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        Skip.If(Executable is null, NotInstalledReason);
        var server = new RedisServer(Loopback.FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Executable!)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await AnswersPingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}");
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing is answered, as in a stall or a partition.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Lets a paused server run again (SIGCONT); it answers what it was sent meanwhile.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    public async Task StopAsync()
    {
        Kill();
        await _process!.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await StopAsync();
        }

        _process?.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    private void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
        }
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
