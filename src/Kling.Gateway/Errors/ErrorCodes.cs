namespace Kling.Gateway.Errors;

/// <summary>Kling's error codes, as in the contract's table.</summary>
internal static class ErrorCodes
{
    public const int AuthorizationMissing = 1001;
    public const int KeyInvalid = 1002;
    public const int TokenNotYetValid = 1003;
    public const int TokenExpired = 1004;

    /// <summary>Kling's "resource pack depleted"; the gateway's own answer when a tenant's unit budget is spent.</summary>
    public const int BudgetExhausted = 1102;
    public const int BodyNotParsable = 1200;
    public const int ParameterInvalid = 1201;

    /// <summary>The official API's answer to a method or path it does not serve (HTTP 404 or 405).</summary>
    public const int MethodOrPathUnsupported = 1202;
    public const int NotFound = 1203;
    public const int RateLimited = 1302;
    public const int ConcurrencyLimited = 1303;
    public const int InternalError = 5000;
    public const int UpstreamUnavailable = 5001;
    public const int UpstreamTimeout = 5002;
}
