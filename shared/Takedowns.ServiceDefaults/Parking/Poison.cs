using System.Net.Sockets;
using Npgsql;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>
/// Which failures are worth waiting out and which mean the event or message itself cannot be processed. A transient
/// failure (PostgreSQL or RabbitMQ unreachable, a timeout, a shutdown) is retried for as long as it lasts and never parks
/// anything: the work waits, and the lag check says so. Anything else is retried a few times and then parked, so one bad
/// event or message never holds back those behind it.
/// </summary>
public static class Poison
{
    /// <summary>Attempts of an event or message before it is parked.</summary>
    public const int Attempts = 3;

    public static bool IsTransient(Exception? e)
    {
        if (DatabaseUnavailable.Is(e)) return true;
        for (; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or TimeoutException or SocketException or IOException) return true;
            if (e is NpgsqlException { IsTransient: true }) return true;
            if (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.AlreadyClosedException) return true;
            if (e is MassTransit.RabbitMqConnectionException or MassTransit.ConnectionException or MassTransit.RequestTimeoutException) return true;
            if (e is PostgresException { SqlState: "40001" or "40P01" or "55P03" or "57014" }) return true; // serialization, deadlock, lock, cancelled
        }
        return false;
    }

    /// <summary>A failure that says the work itself is bad: retried a few times, then parked.</summary>
    public static bool Is(Exception e) => !IsTransient(e);

    /// <summary>
    /// Why it was parked, for the operator: each exception's type and message, a PostgreSQL error as its SQLSTATE only
    /// (its detail can quote a row). No stack: the service's log has it.
    /// </summary>
    public static string Reason(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null && parts.Count < 4; e = e.InnerException)
            parts.Add($"{e.GetType().FullName}: {(e is PostgresException p ? $"SQLSTATE {p.SqlState}" : e.Message)}");
        string reason = string.Join(" ---> ", parts);
        return reason.Length <= 2_000 ? reason : reason[..2_000];
    }
}
