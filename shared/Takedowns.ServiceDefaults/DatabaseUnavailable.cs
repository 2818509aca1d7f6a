using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// A request that failed because PostgreSQL could not be reached (down, restarting, refusing connections) is answered
/// 503 with Retry-After, a problem the client can act on by sending again, instead of 500. Nothing was written: what
/// the request would have stored was in a transaction that never committed.
/// </summary>
public sealed class DatabaseUnavailable(ILogger<DatabaseUnavailable> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!Is(exception) || context.Response.HasStarted) return false;
        logger.LogWarning("PostgreSQL unavailable ({Error}); answered 503", exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is unavailable",
            detail: $"Nothing was stored. Send the request again in {RetryAfterSeconds} seconds.").ExecuteAsync(context);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="e"/> (or what it wraps) says PostgreSQL could not be reached: a connection that could not be
    /// opened or was lost (no server error), or the server refusing connections (SQLSTATE 08, 57P01-57P03, 53300).
    /// </summary>
    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException p)
                return p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03" or "53300";
            if (e is NpgsqlException { InnerException: SocketException or IOException or TimeoutException } or NpgsqlException { IsTransient: true })
                return true;
        }
        return false;
    }
}
