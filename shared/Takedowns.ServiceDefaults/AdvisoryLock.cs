using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// A PostgreSQL session lock that one instance of a service holds while it does what only one may do at a time (the spike
/// scan, say). Held on a connection of its own, and let go before that connection goes back to its pool: should the
/// instance die, the connection closes and the lock goes with it.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private AdvisoryLock(NpgsqlConnection connection, long key) => (_connection, _key) = (connection, key);

    /// <summary>The lock, once no other session holds it.</summary>
    public static async Task<AdvisoryLock> TakeAsync(NpgsqlConnection connection, long key, CancellationToken ct) =>
        await TakeAsync(connection, key, wait: true, ct) ?? throw new InvalidOperationException("A waited-for lock was not taken.");

    /// <summary>The lock if no other session holds it; null if one does.</summary>
    public static Task<AdvisoryLock?> TryTakeAsync(NpgsqlConnection connection, long key, CancellationToken ct) =>
        TakeAsync(connection, key, wait: false, ct);

    /// <param name="connection">A connection not yet open, which the lock owns from now on.</param>
    private static async Task<AdvisoryLock?> TakeAsync(NpgsqlConnection connection, long key, bool wait, CancellationToken ct)
    {
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new NpgsqlCommand(wait ? "select pg_advisory_lock($1), true" : "select pg_try_advisory_lock($1)", connection);
            take.CommandTimeout = 0; // a wait lasts as long as the other holder's turn
            take.Parameters.AddWithValue(key);
            if (await take.ExecuteScalarAsync(ct) is true || wait) return new AdvisoryLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock($1)", _connection);
            release.Parameters.AddWithValue(_key);
            await release.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the lock with it.
        }
        await _connection.DisposeAsync();
    }
}
