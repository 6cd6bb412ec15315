using System.Net.Sockets;

namespace Kling.Gateway.Tests.Infrastructure;

internal static class Loopback
{
    /// <summary>A loopback port nobody listens on (at the moment of asking).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
