using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Takedowns.Testing;

/// <summary>Every log line a host writes, at every level, kept in memory for inspection.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{level} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Reads what is inside RabbitMQ and PostgreSQL, as an attacker with a copy of either would.</summary>
public static class Inspect
{
    /// <summary>A queue bound to a message type's exchange, so published messages stay for inspection.</summary>
    public static async Task BindCaptureQueueAsync(string virtualHost, string exchange, string queue)
    {
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "");
    }

    /// <summary>The bodies of every message in every queue of the virtual host (error queues included); the messages stay.</summary>
    public static async Task<IReadOnlyList<string>> AllMessagesAsync(string virtualHost)
    {
        string table = await TestEnvironment.RunInfraAsync("rabbitmqctl", "list_queues", "-p", virtualHost, "--no-table-headers", "name");
        var bodies = new List<string>();
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        foreach (string queue in table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var taken = new List<ulong>();
            while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
                taken.Add(message.DeliveryTag);
            }
            foreach (ulong tag in taken) await channel.BasicNackAsync(tag, multiple: false, requeue: true);
        }
        return bodies;
    }

    public static async Task<int> CountAsync(string virtualHost, string queue)
    {
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        return (int)(await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public static async Task PurgeAsync(string virtualHost, string queue)
    {
        await using var connection = await ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    internal static Task<IConnection> ConnectAsync(string virtualHost) => new ConnectionFactory
    {
        HostName = TestEnvironment.RabbitHost,
        Port = int.Parse(TestEnvironment.RabbitPort),
        UserName = TestEnvironment.RabbitUser,
        Password = TestEnvironment.RabbitPassword,
        VirtualHost = virtualHost,
    }.CreateConnectionAsync();

    /// <summary>A plain-text dump of the given schemas (the ones a test's services write to), data and definitions.</summary>
    public static async Task<string> PgDumpAsync(params string[] schemas)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnection);
        string pgDump = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_dump")).First(File.Exists);
        var start = new ProcessStartInfo(pgDump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-h", builder.Host!, "-p", builder.Port.ToString(), "-U", builder.Username!, "-d", builder.Database! },
        };
        foreach (string schema in schemas)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(schema);
        }
        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("pg_dump failed: " + await stderr);
        return await stdout;
    }
}

/// <summary>Messages put on the broker as another producer could send them, past MassTransit's serializer.</summary>
public static class RawMessages
{
    /// <summary>Publishes <paramref name="body"/> to a message type's exchange as a MassTransit JSON envelope would travel.</summary>
    public static async Task PublishAsync(string virtualHost, string exchange, string body)
    {
        await using var connection = await Inspect.ConnectAsync(virtualHost);
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString() };
        await channel.BasicPublishAsync(exchange, "", mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }
}
