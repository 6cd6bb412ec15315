namespace Kling.Gateway.Storage;

/// <summary>The task store did not answer in time; the request is refused (503) rather than served without limits or ownership.</summary>
internal sealed class StoreUnavailableException(string message, Exception innerException) : Exception(message, innerException);
