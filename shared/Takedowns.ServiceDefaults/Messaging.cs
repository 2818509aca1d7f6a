using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        WithinTimeoutAsync(bus, typeof(T), limit => bus.Publish(message, context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, limit), ct);

    /// <summary>As <see cref="PublishIntegrationEvent{T}"/>, published as the message's own type.</summary>
    public static Task PublishIntegrationEvent(this IPublishEndpoint bus, object message, Guid messageId, CancellationToken ct) =>
        WithinTimeoutAsync(bus, message.GetType(), limit => bus.Publish(message, message.GetType(), context =>
        {
            context.MessageId = messageId;
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, limit), ct);

    private static async Task WithinTimeoutAsync(IPublishEndpoint bus, Type message, Func<CancellationToken, Task> publish, CancellationToken ct)
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
        if (bus is IBusControl control) BusRestarts.Request(control, message);
        throw new TimeoutException($"The broker did not confirm a {message.Name} within {PublishTimeout.TotalSeconds:0} s.");
    }
}

/// <summary>
/// Restarts a bus whose publish was never confirmed. After a broker node fails over, a channel on which confirmations
/// were awaited can stay wedged, its later publishes never confirmed while the connection itself looks healthy (a known
/// fault of the RabbitMQ client with publisher confirms); the bus keeps that channel for its exchange, so every publish
/// of that message type would time out for ever. Stopping and starting the bus drops its channels and its send caches.
/// One restart at a time per bus, at most one a minute; the timed-out publish is retried by its caller as before.
/// </summary>
public static class BusRestarts
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMinutes(1);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<IBusControl, DateTimeOffset> Last = new();

    /// <summary>How many restarts were made (all buses of the process).</summary>
    public static int Count => _count;

    private static int _count;

    /// <summary>Where restarts are logged (set by <see cref="ServiceDefaultsExtensions.UseServiceDefaults"/>).</summary>
    public static ILogger? Logger { get; set; }

    public static void Request(IBusControl bus, Type message)
    {
        var now = DateTimeOffset.UtcNow;
        var last = Last.GetOrAdd(bus, DateTimeOffset.MinValue);
        if (now - last < Spacing || !Last.TryUpdate(bus, now, last)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                Logger?.LogWarning("A {Message} publish was not confirmed within {Seconds:0} s; restarting the bus to drop its channels",
                    message.Name, MessagingExtensions.PublishTimeout.TotalSeconds);
                using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                {
                    try
                    {
                        await bus.StopAsync(stopping.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Logger?.LogWarning("The bus did not stop within 30 s; starting it again all the same");
                    }
                }
                await bus.StartAsync(CancellationToken.None);
                Interlocked.Increment(ref _count);
            }
            catch (Exception e)
            {
                // Not swallowed: logged, and the next timed-out publish asks again a minute later.
                Logger?.LogError("Restarting the bus failed: {Error}", e.GetType().Name);
                Last.TryUpdate(bus, DateTimeOffset.MinValue, now);
            }
        });
    }
}
