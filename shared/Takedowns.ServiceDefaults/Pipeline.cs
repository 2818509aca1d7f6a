using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Takedowns.ServiceDefaults;

/// <summary>Logs every command and query by type and duration; never its content, which may be personal data.</summary>
public sealed class TimingBehaviour<TMessage, TResponse>(ILogger<TimingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return await next(message, ct);
        }
        finally
        {
            logger.LogDebug("{Message} handled in {Elapsed} ms", typeof(TMessage).Name, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
