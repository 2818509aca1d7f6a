using System.Text.Json;
using MassTransit;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>
/// The end of a receive endpoint's error pipe: a message whose consumer still fails after its retries is stored as a
/// <see cref="ParkedMessage"/> with its reason, instead of going to an <c>_error</c> queue nobody reads, and the queue
/// moves on. Should the database be away too, the filter fails and the broker delivers the message again later: it is
/// never dropped.
/// </summary>
public sealed class ParkMessageFilter(Parked parked, string queue) : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        string body = context.Body.GetString();
        string? type = null;
        Guid? messageId = null;
        try
        {
            using var envelope = JsonDocument.Parse(body);
            if (envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0)
                type = types[0].GetString();
            if (envelope.RootElement.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var guid)) messageId = guid;
        }
        catch (JsonException)
        {
            // Not an envelope (not even JSON): kept as it came, and listed without a type.
        }
        messageId ??= context.GetMessageId();
        await parked.ParkMessageAsync(queue, type, messageId, body, context.Exception, context.CancellationToken);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("park-message");
}

public static class MessageParkingExtensions
{
    /// <summary>Transient failures wait (retried every few seconds for as long as they last); anything else is retried a few times, then parked.</summary>
    public static void UseParking(this IReceiveEndpointConfigurator endpoint, Parked parked, string queue)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(Poison.IsTransient);
            r.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        });
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(Poison.Is);
            r.Intervals(Enumerable.Range(1, Poison.Attempts - 1).Select(i => TimeSpan.FromMilliseconds(200 * i)).ToArray());
        });
        endpoint.ConfigureError(e => e.UseFilter(new ParkMessageFilter(parked, queue)));
    }
}
