using Npgsql;

namespace Takedowns.Testing;

/// <summary>The test RabbitMQ node, driven through infra/rabbitmqctl.</summary>
public static class Broker
{
    public static async Task<string> CreateVirtualHostAsync()
    {
        string name = TestEnvironment.UniqueName("test");
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "add_vhost", name);
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "set_permissions", "-p", name, TestEnvironment.RabbitUser, ".*", ".*", ".*");
        // As infra/ sets it for its own virtual host: a delivery limit, then the dead-letter exchange.
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "set_policy", "-p", name, "--apply-to", "queues", "takedowns-queues", ".*",
            """{"delivery-limit": 20, "dead-letter-exchange": "takedowns.dead-letters"}""");
        return name;
    }

    public static Task DeleteVirtualHostAsync(string name) => TestEnvironment.RunInfraAsync("rabbitmqctl", "delete_vhost", name);

    /// <summary>Stops the broker application (connections drop, queues stay on disk), as an outage would.</summary>
    public static Task StopAsync() => TestEnvironment.RunInfraAsync("rabbitmqctl", "stop_app");

    public static async Task StartAsync()
    {
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "start_app");
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "await_startup");
    }
}

public static class Database
{
    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }

    public static async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}

public static class Queues
{
    /// <summary>Messages ready or unacknowledged across every queue of a virtual host: zero once all deliveries are consumed.</summary>
    public static async Task<long> PendingAsync(string virtualHost)
    {
        string table = await TestEnvironment.RunInfraAsync("rabbitmqctl", "list_queues", "-p", virtualHost, "--no-table-headers", "messages_ready", "messages_unacknowledged");
        return table.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(line => line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries))
            .Sum(long.Parse);
    }

    public static Task WaitUntilDrainedAsync(string virtualHost, TimeSpan? timeout = null) =>
        Eventually.Until(() => PendingAsync(virtualHost), n => n == 0, timeout, $"the queues of {virtualHost} to drain");

    /// <summary>
    /// Messages ready or unacknowledged in the queues of a virtual host that have a consumer: zero once the services have
    /// handled every delivery, retries included (a message being retried stays unacknowledged). Queues nobody consumes,
    /// such as a test's capture queues, are left out.
    /// </summary>
    public static async Task<long> InHandAsync(string virtualHost)
    {
        string table = await TestEnvironment.RunInfraAsync("rabbitmqctl", "list_queues", "-p", virtualHost, "--no-table-headers", "consumers", "messages_ready", "messages_unacknowledged");
        return table.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray())
            .Where(columns => columns.Length == 3 && columns[0] > 0)
            .Sum(columns => columns[1] + columns[2]);
    }
}
