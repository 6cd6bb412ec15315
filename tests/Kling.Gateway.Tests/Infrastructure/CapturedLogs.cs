using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>A Serilog sink that keeps every event, rendered exactly as the JSON the gateway writes.</summary>
internal sealed class CapturedLogs : ILogEventSink
{
    private readonly ConcurrentQueue<(LogEvent Event, string Json)> _events = new();
    private readonly CompactJsonFormatter _formatter = new();

    public IReadOnlyList<LogEvent> Events => [.. _events.Select(e => e.Event)];

    public string AllText => string.Join('\n', _events.Select(e => e.Json));

    public void Emit(LogEvent logEvent)
    {
        using var writer = new StringWriter();
        _formatter.Format(logEvent, writer);
        _events.Enqueue((logEvent, writer.ToString()));
    }
}
