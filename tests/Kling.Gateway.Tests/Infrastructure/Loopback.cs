using System.Net.Sockets;

namespace Kling.Gateway.Tests.Infrastructure;

internal static class Loopback
{
    // Below the kernel's ephemeral range (32768-60999 here): a port handed out for a process to bind later is never taken
    // meanwhile by one of the many outgoing connections the tests open, which draw from that range.
    private const int First = 20000;
    private const int Count = 12000;

    private static int _next = First + Random.Shared.Next(Count);

    /// <summary>A loopback port nobody listens on, not handed out before by this test run.</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // in use: the next one
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{First + Count - 1}");
    }
}
