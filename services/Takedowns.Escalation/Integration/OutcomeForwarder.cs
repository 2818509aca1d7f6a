using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Packets;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Escalation.Integration;

/// <summary>
/// The outbox of remedies: a Marten subscription that publishes each recording of outcomes on a packet as
/// <see cref="RemedyOutcomes"/>, named after the event it came from, so that other services count remedies (Correlation
/// shows them on the campaign). Progress is saved only after a page is published; a page published again sends the
/// same messages.
/// </summary>
public sealed class OutcomeForwarder(IBus bus, Parked parked, ILogger<OutcomeForwarder> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    public const string SubscriptionName = "outcome-forwarder";

    public static readonly Type[] EventTypes = [typeof(OutcomesRecorded)];

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        var recorded = page.Events.Where(e => e.Data is OutcomesRecorded).ToList();
        if (recorded.Count == 0) return NullChangeListener.Instance;
        var packets = (await operations.LoadManyAsync<Packet>(ct, recorded.Select(e => e.StreamId).Distinct())).ToDictionary(p => p.Id);
        foreach (var e in recorded)
        {
            var o = (OutcomesRecorded)e.Data;
            // Every recording is appended to a packet's stream, whose snapshot is written with it.
            if (!packets.TryGetValue(o.PacketId, out var packet)) throw new InvalidOperationException($"Packet {o.PacketId} has outcomes but no record.");
            var message = new RemedyOutcomes(o.PacketId, packet.Platform, packet.CampaignId,
                [.. o.Outcomes.Select(x => new RemedyOutcome(x.ReportId, x.Outcome, x.On))], o.RecordedAt);
            if (!trial) await bus.PublishIntegrationEvent(message, e.Id, ct);
        }
        return NullChangeListener.Instance;
    }
}
