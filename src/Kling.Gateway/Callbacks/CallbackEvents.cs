using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Kling.Gateway.Tasks;

namespace Kling.Gateway.Callbacks;

/// <summary>Turns each observed status change of a task with a callback into one queued event.</summary>
internal sealed class CallbackEvents(ICallbackOutbox outbox, CallbackDispatcher dispatcher, TimeProvider time) : ITaskStatusListener
{
    public const string EventType = "text2video.task.updated";

    public async Task StatusChangedAsync(string tenantId, TaskSnapshot snapshot)
    {
        var now = time.GetUtcNow();
        if (await outbox.EnqueueAsync(snapshot.TaskId, snapshot.Status, NewEventId(), Payload(snapshot, now), now))
        {
            dispatcher.Wake();
        }
    }

    /// <summary><c>{"type": "text2video.task.updated", "timestamp": "...", "data": &lt;the data object a query returns&gt;}</c>.</summary>
    public static byte[] Payload(TaskSnapshot snapshot, DateTimeOffset observedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(snapshot.Data.Length + 96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", EventType);
            writer.WriteString("timestamp", observedAt.UtcDateTime);
            writer.WritePropertyName("data");
            writer.WriteRawValue(snapshot.Data, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A <c>webhook-id</c>: unique per event, the same on every attempt.</summary>
    private static string NewEventId() => "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
