using MassTransit;
using Takedowns.ServiceDefaults;

namespace Takedowns.Testing;

public static class Delivery
{
    /// <summary>
    /// Publishes as Intake does (mandatory, one message id): until the consumer's queue is bound RabbitMQ returns the
    /// message, so it is sent again, for up to ten seconds.
    /// </summary>
    public static async Task UntilDeliveredAsync<T>(IBus bus, T message) where T : class
    {
        var messageId = Guid.NewGuid();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await bus.PublishIntegrationEvent(message, messageId, CancellationToken.None);
                return;
            }
            catch (MessageReturnedException) when (attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }
}
