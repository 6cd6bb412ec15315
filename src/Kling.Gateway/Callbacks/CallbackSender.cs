using System.Globalization;
using System.Net.Http.Headers;

namespace Kling.Gateway.Callbacks;

/// <summary>One delivery attempt of one event: signed anew, bounded in time, its answer read to at most 1 KB.</summary>
internal sealed class CallbackSender(CallbackHttp http)
{
    /// <summary>Of the receiver's answer only this much is read (for the log); the rest is never waited for.</summary>
    public const int MaxAnswerBytes = 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("kling-gateway", "1.0");

    public async Task<AttemptResult> SendAsync(CallbackEvent callbackEvent, IReadOnlyList<byte[]> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackEvent.Url)
        {
            Content = new ByteArrayContent(callbackEvent.Payload) { Headers = { ContentType = Json } },
        };
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add("webhook-id", callbackEvent.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigner.Sign(callbackEvent.EventId, timestamp, callbackEvent.Payload, keys));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallbackHttp.AttemptTimeout);
        try
        {
            using var response = await http.Invoker.SendAsync(request, timeout.Token);
            var answer = new byte[MaxAnswerBytes];
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var read = await body.ReadAtLeastAsync(answer, MaxAnswerBytes, throwOnEndOfStream: false, timeout.Token);
            return new AttemptResult((int)response.StatusCode, RetryAfter(response, now), System.Text.Encoding.UTF8.GetString(answer, 0, read));
        }
        catch (HttpRequestException ex) when (ex.InnerException is CallbackRefusedException refused)
        {
            return AttemptResult.NoAnswer(refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return AttemptResult.NoAnswer("the receiver could not be reached: " + ex.HttpRequestError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.NoAnswer($"the receiver did not answer within {CallbackHttp.AttemptTimeout.TotalSeconds:0} s");
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - now,
        _ => null,
    };
}

/// <summary>What one attempt got: the receiver's status (null when none) and the start of its answer, or why there was none.</summary>
internal sealed record AttemptResult(int? Status, TimeSpan? RetryAfter, string Detail)
{
    public static AttemptResult NoAnswer(string reason) => new(null, null, reason);
}
