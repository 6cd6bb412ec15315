using Kling.Gateway.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Kling.Gateway.Errors;

internal static class ErrorsExtensions
{
    /// <summary>The official Kling API's paths, whose unserved methods and paths answer with its code 1202.</summary>
    private static readonly PathString OfficialApi = "/v1";

    /// <summary>
    /// Every error leaves as a Kling envelope: unhandled exceptions (never a stack trace) and
    /// body-less status codes such as an unmatched route's 404 or a wrong method's 405.
    /// </summary>
    public static IApplicationBuilder UseKlingErrors(this IApplicationBuilder app) => app
        .UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteExceptionAsync,
            // Expected failures (an unreadable body, a store outage) are told by the completion event's code and reason;
            // a stack trace is kept for the unexpected.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException or StoreUnavailableException,
        })
        .UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));

    private static Task WriteExceptionAsync(HttpContext context) => context.Features.Get<IExceptionHandlerFeature>()?.Error switch
    {
        BadHttpRequestException bad => context.WriteKlingErrorAsync(bad.StatusCode, ErrorCodes.BodyNotParsable, "the request could not be read: " + bad.Message),
        // Refuse rather than serve without limits or ownership checks.
        StoreUnavailableException unavailable => context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, unavailable.Message + "; try again shortly"),
        _ => context.WriteKlingErrorAsync(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "internal error"),
    };

    private static Task WriteStatusAsync(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound when context.Request.Path.StartsWithSegments(OfficialApi) =>
            context.WriteKlingErrorAsync(404, ErrorCodes.MethodOrPathUnsupported, "path not supported: " + context.Request.Path),
        StatusCodes.Status405MethodNotAllowed when context.Request.Path.StartsWithSegments(OfficialApi) =>
            context.WriteKlingErrorAsync(405, ErrorCodes.MethodOrPathUnsupported, context.Request.Method + " is not supported on " + context.Request.Path),
        StatusCodes.Status404NotFound => context.WriteKlingErrorAsync(404, ErrorCodes.NotFound, "no such resource: " + context.Request.Path),
        StatusCodes.Status415UnsupportedMediaType => context.WriteKlingErrorAsync(415, ErrorCodes.BodyNotParsable, "Content-Type must be application/json"),
        StatusCodes.Status405MethodNotAllowed => context.WriteKlingErrorAsync(405, ErrorCodes.ParameterInvalid, context.Request.Method + " is not allowed on " + context.Request.Path),
        var status and >= 500 => context.WriteKlingErrorAsync(status, ErrorCodes.InternalError, "internal error"),
        var status => context.WriteKlingErrorAsync(status, ErrorCodes.ParameterInvalid, "the request was rejected"),
    };
}
