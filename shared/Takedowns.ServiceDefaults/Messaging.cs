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
    /// How long a publish may wait for the broker's confirmation. A connection lost while a confirmation is awaited (a
    /// broker restarting) could otherwise leave the publisher, and the outbox behind it, waiting for ever; past this it
    /// fails as a timeout, a transient failure, and the page is published again.
    /// </summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Publishes an integration event with the id of the event it came from, as mandatory: if no queue is
    /// bound yet the broker returns it and the publish fails, so the caller retries instead of losing it.
    /// </summary>
    public static Task PublishIntegrationEvent<T>(this IPublishEndpoint bus, T message, Guid messageId, CancellationToken ct)
        where T : class =>
        WithinTimeoutAsync(typeof(T), limit => bus.Publish(message, context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, limit), ct);

    /// <summary>As <see cref="PublishIntegrationEvent{T}"/>, published as the message's own type.</summary>
    public static Task PublishIntegrationEvent(this IPublishEndpoint bus, object message, Guid messageId, CancellationToken ct) =>
        WithinTimeoutAsync(message.GetType(), limit => bus.Publish(message, message.GetType(), context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, limit), ct);

    private static async Task WithinTimeoutAsync(Type message, Func<CancellationToken, Task> publish, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(PublishTimeout);
        // On the thread pool: a publish that blocks its caller (a channel being recovered) cannot hold the wait either.
        var publishing = Task.Run(() => publish(limit.Token), CancellationToken.None);
        // Also when the publish ignores the token: the wait ends, the publish's own end is observed and dropped.
        var finished = await Task.WhenAny(publishing, Task.Delay(Timeout.Infinite, limit.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        if (finished == publishing)
        {
            try
            {
                await publishing;
                return;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && limit.IsCancellationRequested)
            {
            }
        }
        else _ = publishing.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        ct.ThrowIfCancellationRequested();
        throw new TimeoutException($"The broker did not confirm a {message.Name} within {PublishTimeout.TotalSeconds:0} s.");
    }
}
