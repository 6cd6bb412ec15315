using System.Diagnostics;

namespace Kling.Gateway.Upstream;

/// <summary>
/// What of the trace goes upstream: the gateway span's W3C <c>traceparent</c> and <c>tracestate</c>, nothing else
/// (the default propagator would also pass on the client's <c>baggage</c>, text the client chose).
/// </summary>
internal sealed class TraceContextPropagator : DistributedContextPropagator
{
    /// <summary>W3C's limit: a longer tracestate may be dropped by any hop.</summary>
    private const int MaxTraceStateLength = 512;

    public override IReadOnlyCollection<string> Fields { get; } = ["traceparent", "tracestate"];

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (activity is null || setter is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is null)
        {
            return;
        }

        setter(carrier, "traceparent", activity.Id);
        if (activity.TraceStateString is { Length: > 0 and <= MaxTraceStateLength } state)
        {
            setter(carrier, "tracestate", state);
        }
    }

    // Only used to send: nothing is read from upstream answers.
    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
