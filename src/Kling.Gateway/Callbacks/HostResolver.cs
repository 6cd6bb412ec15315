using System.Net;

namespace Kling.Gateway.Callbacks;

/// <summary>Resolves a callback host name to its addresses (the system resolver; replaceable so tests never query DNS).</summary>
internal delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);
