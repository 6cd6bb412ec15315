namespace Kling.Gateway.Callbacks;

/// <summary>A delivery stopped before connecting: the destination resolves to an address the policy refuses.</summary>
internal sealed class CallbackRefusedException(string reason) : Exception(reason);
