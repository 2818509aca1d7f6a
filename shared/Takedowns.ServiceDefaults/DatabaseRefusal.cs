using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// PostgreSQL refusing what it was given, as opposed to failing to take it: a data exception (SQLSTATE class 22, such
/// as text it cannot store), an integrity violation (23) or a value beyond a limit (54). Written again in the same
/// company it fails again, so a batch that holds such a row is written row by row, and only that row fails.
/// </summary>
public static class DatabaseRefusal
{
    /// <summary>The SQLSTATE of the refusal within <paramref name="e"/> (or what it wraps); null when it is none.</summary>
    public static string? Of(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: { Length: 5 } state } && state[..2] is "22" or "23" or "54")
                return state;
        return null;
    }
}
