using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Where RabbitMQ puts a message that was delivered too often without being settled (its consumer crashed on it again and
/// again: the queues' policy sets a delivery limit, and this exchange as their dead-letter exchange): the exchange
/// <c>takedowns.dead-letters</c> and a durable queue of the same name that keeps such messages for an operator. Declared
/// by every service at start (declaring what exists changes nothing); retried while the broker is away.
/// </summary>
public sealed class DeadLetterQueue(RabbitMqSettings settings, ILogger<DeadLetterQueue> logger) : BackgroundService
{
    public const string Name = "takedowns.dead-letters";

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var endpoints = settings.Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.Split(':') is [var host, var port] ? new AmqpTcpEndpoint(host, int.Parse(port)) : new AmqpTcpEndpoint(n, settings.Port))
            .DefaultIfEmpty(new AmqpTcpEndpoint(settings.Host, settings.Port)).ToList();
        var factory = new ConnectionFactory { VirtualHost = settings.VirtualHost, UserName = settings.Username, Password = settings.Password };
        for (int attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync(endpoints, "takedowns-dead-letters", ct);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                await channel.ExchangeDeclareAsync(Name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
                await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
                await channel.QueueBindAsync(Name, Name, "", cancellationToken: ct);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (attempt == 1) logger.LogWarning("Declaring the dead-letter queue failed ({Error}); trying again", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
        }
    }
}
