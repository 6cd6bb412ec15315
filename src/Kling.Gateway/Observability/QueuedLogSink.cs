using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace Kling.Gateway.Observability;

/// <summary>
/// Writes log events to a stream (standard output) a burst at a time. A logging thread only queues its event; an
/// asynchronous loop formats everything queued and writes it with one flush, so formatting and writes stay off request
/// threads, a burst costs one write instead of one per event, and nothing spins or needs waking while the queue is
/// empty (a thread blocked on a queue, as an async wrapper's worker is, spins before it sleeps, on the cores the
/// requests need). A logging thread that finds the queue full writes the queue out itself rather than drop its event,
/// so progress never depends on the thread pool that a stuck output is holding up.
/// </summary>
internal sealed class QueuedLogSink : ILogEventSink, IDisposable
{
    private const int OutputBufferBytes = 64 * 1024;

    /// <summary>How long disposal waits for the queued events to be written (a stuck output must not hold the shutdown).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<LogEvent> _queue;
    private readonly ITextFormatter _formatter;
    private readonly StreamWriter _output;
    private readonly Task _loop;

    // Held while writing: by the loop, or by a logging thread that found the queue full. One event is formatted into
    // _line first, so that a formatter that fails halfway leaves no half line in the output.
    private readonly Lock _writing = new();
    private readonly StringWriter _line = new();
    private volatile bool _closed;

    public QueuedLogSink(ITextFormatter formatter, Stream output, int capacity)
    {
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), OutputBufferBytes) { AutoFlush = false };
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(WriteAsQueuedAsync);
    }

    public void Emit(LogEvent logEvent)
    {
        while (!_queue.Writer.TryWrite(logEvent))
        {
            if (_closed)
            {
                // Disposed: the host is gone, and so is the output.
                return;
            }

            // Full (rare; the output is slow or stuck): write out what is queued on this thread, then queue again.
            WriteQueued();
        }
    }

    /// <summary>Writes what is still queued (for at most <see cref="DrainTimeout"/>), then closes the output.</summary>
    public void Dispose()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        if (_loop.Wait(DrainTimeout))
        {
            lock (_writing)
            {
                _output.Dispose();
            }
        }
    }

    private async Task WriteAsQueuedAsync()
    {
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            WriteQueued();
        }
    }

    private void WriteQueued()
    {
        lock (_writing)
        {
            var wrote = false;
            while (_queue.Reader.TryRead(out var logEvent))
            {
                Write(logEvent);
                wrote = true;
            }

            if (wrote)
            {
                Flush();
            }
        }
    }

    private void Write(LogEvent logEvent)
    {
        var line = _line.GetStringBuilder().Clear();
        try
        {
            _formatter.Format(logEvent, _line);
            _output.Write(line);
        }
        catch (Exception ex)
        {
            // One event that cannot be formatted or written is lost, not the writing of every event after it.
            SelfLog.WriteLine("A log event could not be written: {0}", ex);
        }
    }

    private void Flush()
    {
        try
        {
            _output.Flush();
        }
        catch (Exception ex)
        {
            // A closed or broken standard output: nothing can be written; the gateway still serves.
            SelfLog.WriteLine("Log events could not be written: {0}", ex);
        }
    }
}
