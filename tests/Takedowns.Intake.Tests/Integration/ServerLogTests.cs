using Npgsql;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

/// <summary>PostgreSQL's own log never quotes what a statement carried, even when it refuses it.</summary>
public sealed class ServerLogTests
{
    /// <summary>
    /// The server's log, read through the server itself (infra/ starts it with <c>-l server.log</c> in its data
    /// directory, and trusts its own superuser on loopback): whichever checkout started it.
    /// </summary>
    private static NpgsqlConnection Superuser() =>
        new(new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnection) { Username = "postgres", Password = null }.ConnectionString);

    private static async Task<long> LogSizeAsync()
    {
        await using var connection = Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select size from pg_stat_file('server.log')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> ReadFromAsync(long offset)
    {
        await using var connection = Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select pg_read_file('server.log', $1, (select size from pg_stat_file('server.log')) - $1)", connection)
        {
            Parameters = { new() { Value = offset } },
        };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_refused_statement_leaves_none_of_its_data_in_the_servers_log()
    {
        string sentinel = "@log_sentinel_" + Guid.NewGuid().ToString("N")[..12];
        long before = await LogSizeAsync();

        await using (var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection))
        {
            await connection.OpenAsync();
            // jsonb refuses the NUL escape, and its error's context quotes the JSON around it.
            await using var command = new NpgsqlCommand("select $1::jsonb", connection)
            {
                Parameters = { new() { Value = $$"""{"handle":"{{sentinel}}","x":"a\u0000b"}""" } },
            };
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
            Assert.Equal("22P05", refused.SqlState);
        }

        // The server writes its log apart from answering; the error line itself shows it got there.
        string written = await Eventually.Until(() => ReadFromAsync(before), text => text.Contains("unsupported Unicode"),
            TimeSpan.FromSeconds(10), "the error in the server's log");
        Assert.DoesNotContain(sentinel, written);
    }
}
