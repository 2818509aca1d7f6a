using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// The services' console log: one JSON object a line (time, level, category, event id, message, exception), and
/// exceptions written without what they carry about the data. A PostgreSQL error keeps its SQLSTATE only: its context,
/// detail and message text can quote the row it refused (a JSON error's context quotes the JSON around it), and a
/// report's handle or a reporter's name must never reach a log.
/// </summary>
public sealed class SafeJsonLogs() : ConsoleFormatter(Name)
{
    public new const string Name = "takedowns-json";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = entry.Formatter?.Invoke(entry.State, null);
        if (message is null && entry.Exception is null) return;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("level", entry.LogLevel.ToString());
            json.WriteString("category", entry.Category);
            if (entry.EventId.Id != 0) json.WriteNumber("eventId", entry.EventId.Id);
            if (message is not null) json.WriteString("message", message);
            if (entry.Exception is { } e) json.WriteString("exception", Describe(e));
            json.WriteEndObject();
        }
        textWriter.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The exception and what it wraps, each as its type and message (a PostgreSQL error as its SQLSTATE), then the stack.</summary>
    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (text.Length > 0) text.Append(" ---> ");
            text.Append(e.GetType().FullName).Append(": ");
            text.Append(e is PostgresException p ? $"SQLSTATE {p.SqlState}" : e.Message);
        }
        if (exception.StackTrace is { } stack) text.Append('\n').Append(stack);
        return text.ToString();
    }
}

public static class SafeJsonLogsSetup
{
    public static void AddSafeJsonLogs(this ILoggingBuilder logging)
    {
        logging.AddConsole(o => o.FormatterName = SafeJsonLogs.Name);
        logging.AddConsoleFormatter<SafeJsonLogs, ConsoleFormatterOptions>();
    }
}
