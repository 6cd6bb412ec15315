using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace Kling.Gateway.Observability;

/// <summary>
/// Writes log events to a stream (standard output) from one asynchronous loop. A request thread only queues its event;
/// the loop formats everything queued and writes it with one flush, so formatting and writes stay off request threads,
/// a burst costs one write instead of one per event, and nothing spins while the queue is empty (a thread blocked on a
/// queue, as an async wrapper's worker is, spins before it sleeps, on the cores the requests need).
/// A full queue makes the logging thread wait rather than drop the event.
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

    public QueuedLogSink(ITextFormatter formatter, Stream output, int capacity)
    {
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), OutputBufferBytes) { AutoFlush = false };
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(WriteQueuedAsync);
    }

    public void Emit(LogEvent logEvent)
    {
        if (_queue.Writer.TryWrite(logEvent))
        {
            return;
        }

        try
        {
            // Full: wait for room (rare; the writes behind it are stuck or slow).
            _queue.Writer.WriteAsync(logEvent).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Disposed: the host is gone, and so is the output.
        }
    }

    /// <summary>Writes what is still queued, then closes the output.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_loop.Wait(DrainTimeout))
        {
            _output.Dispose();
        }
    }

    private async Task WriteQueuedAsync()
    {
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var logEvent))
            {
                Write(logEvent);
            }

            Flush();
        }
    }

    private void Write(LogEvent logEvent)
    {
        try
        {
            _formatter.Format(logEvent, _output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SelfLog.WriteLine("A log event could not be formatted: {0}", ex);
        }
    }

    private void Flush()
    {
        try
        {
            _output.Flush();
        }
        catch (IOException ex)
        {
            // A closed standard output: nothing can be written; the gateway still serves.
            SelfLog.WriteLine("Log events could not be written: {0}", ex);
        }
    }
}
