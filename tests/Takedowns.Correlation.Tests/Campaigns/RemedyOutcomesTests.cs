using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Correlation.Campaigns;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Correlation on the real broker, keeping each report's latest remedy from Escalation's outcome messages.</summary>
public sealed class RemedyOutcomesTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<RemedyRecord?> RecordAsync(Guid reportId)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<RemedyRecord>(reportId);
    }

    [Fact]
    public async Task the_latest_outcome_of_each_report_wins_whatever_order_the_messages_arrive_in()
    {
        Guid restored = Guid.NewGuid(), upheld = Guid.NewGuid(), packet = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var later = new RemedyOutcomes(packet, Platform.YouTube, null,
            [new RemedyOutcome(restored, "restored", new DateOnly(2026, 11, 30)), new RemedyOutcome(upheld, "upheld", new DateOnly(2026, 11, 30))], at);
        await PublishAsync(later);
        await Eventually.Until(() => RecordAsync(upheld), r => r is not null, what: "the outcomes to arrive");

        // An earlier word, arriving late, changes nothing; a later one replaces it; an unknown outcome is ignored.
        await PublishAsync(new RemedyOutcomes(packet, Platform.YouTube, null, [new RemedyOutcome(restored, "no_answer", new DateOnly(2026, 11, 20))], at.AddHours(-1)));
        await PublishAsync(new RemedyOutcomes(packet, Platform.YouTube, null,
            [new RemedyOutcome(upheld, "partially_restored", new DateOnly(2026, 12, 1)), new RemedyOutcome(restored, "lost", new DateOnly(2026, 12, 2))], at.AddHours(1)));
        var upheldNow = await Eventually.Until(() => RecordAsync(upheld), r => r!.Outcome == "partially_restored", what: "the later outcome to arrive");
        Assert.Equal(new DateOnly(2026, 12, 1), upheldNow!.On);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        var restoredNow = await RecordAsync(restored);
        Assert.Equal(("restored", new DateOnly(2026, 11, 30)), (restoredNow!.Outcome, restoredNow.On));
        Assert.Equal(new CampaignRemedies(1, 1, 0, 0), CampaignRemedies.Of([restoredNow, upheldNow]));
    }
}
