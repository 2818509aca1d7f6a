namespace Takedowns.ServiceDefaults;

/// <summary>Configuration keys, named once. Environment variables use <c>__</c> for <c>:</c>.</summary>
public static class Settings
{
    public const string PostgresConnection = "Postgres";              // ConnectionStrings:Postgres
    public const string PostgresReplicaConnection = "PostgresReplica"; // ConnectionStrings:PostgresReplica: public reads, when set
    public const string MartenSchema = "Marten:Schema";               // defaults to the service name
    public const string RabbitMqSection = "RabbitMq";
    public const string AdminKey = "TAKEDOWNS_ADMIN_KEY";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
}

public sealed class RabbitMqSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>The nodes of a RabbitMQ cluster ("host" or "host:port", comma-separated); connections fail over between them. Empty: Host alone.</summary>
    public string Nodes { get; set; } = "";
}
