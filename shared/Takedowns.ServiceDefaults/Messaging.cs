using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.ServiceDefaults;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ (configuration section <c>RabbitMq</c>). Queues are quorum queues named
    /// after the service, so every service gets its own copy of each integration event.
    /// </summary>
    public static WebApplicationBuilder AddMessaging(
        this WebApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var settings = builder.Configuration.GetSection(Settings.RabbitMqSection).Get<RabbitMqSettings>() ?? new RabbitMqSettings();

        builder.Services.AddHostedService(sp => new DeadLetterQueue(settings, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DeadLetterQueue>>()));
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit reports its usage to its makers' server unless told not to: a deployment calls no outside host.
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            x.AddConfigureEndpointsCallback((context, queue, cfg) =>
            {
                if (cfg is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                // A failing message is retried (a transient failure for as long as it lasts), then parked: the queue moves on.
                cfg.UseParking(context.GetRequiredService<Parked>(), queue);
            });
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(settings.Host, settings.Port, settings.VirtualHost, h =>
                {
                    h.Username(settings.Username);
                    h.Password(settings.Password);
                    var nodes = settings.Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (nodes.Length > 0) h.UseCluster(c => { foreach (string node in nodes) c.Node(node); });
                });
                var monitor = context.GetRequiredService<PipelineMonitor>();
                cfg.ConnectReceiveObserver(monitor);
                cfg.ConnectConsumeObserver(monitor);
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>
    /// Publishes an integration event with the id of the event it came from, as mandatory: if no queue is
    /// bound yet the broker returns it and the publish fails, so the caller retries instead of losing it.
    /// </summary>
    public static Task PublishIntegrationEvent<T>(this IPublishEndpoint bus, T message, Guid messageId, CancellationToken ct)
        where T : class =>
        bus.Publish(message, context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, ct);

    /// <summary>As <see cref="PublishIntegrationEvent{T}"/>, published as the message's own type.</summary>
    public static Task PublishIntegrationEvent(this IPublishEndpoint bus, object message, Guid messageId, CancellationToken ct) =>
        bus.Publish(message, message.GetType(), context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, ct);
}
