using System.Net;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Publishing.Patterns;
using Takedowns.Publishing.Spikes;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Integration;

public sealed class ParkingHost : ServiceHost<Program>
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        [PipelineMonitor.IntervalSetting] = "00:00:00.200",
    };
}

/// <summary>A message Publishing's consumers cannot process, and an event its projection cannot read, are parked; what follows is published.</summary>
public sealed class ParkingTests(ParkingHost host) : IClassFixture<ParkingHost>
{
    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();


    [Fact]
    public async Task a_spike_message_the_consumer_fails_on_is_parked_and_the_next_spike_is_published()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var bad = new SpikeDetected(Guid.NewGuid(), null!, new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 2), 14, 3.2, 5, 1e-5, "test", [], DateTimeOffset.UtcNow);
        await bus.PublishIntegrationEvent(bad, Guid.NewGuid(), CancellationToken.None);
        var good = bad with { SpikeId = Guid.NewGuid(), Slice = new Slice("AZ", Platform.Facebook) };
        await bus.PublishIntegrationEvent(good, Guid.NewGuid(), CancellationToken.None);

        await Eventually.Until(async () =>
        {
            await using var session = Store.QuerySession();
            return await session.LoadAsync<PublicSpike>(good.SpikeId);
        }, s => s is not null, what: "the next spike published");
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("kind").GetString() == "message"), what: "the bad spike parked");
        var item = Assert.Single(parked, i => i.GetProperty("kind").GetString() == "message");
        Assert.Equal("urn:message:Takedowns.Contracts.Analysis:SpikeDetected", item.GetProperty("messageType").GetString());
        Assert.Contains("NullReferenceException", item.GetProperty("reason").GetString());
        await Eventually.Until(() => Queues.InHandAsync(host.VirtualHost), n => n == 0, what: "the consumers' queues to drain");

        // Sent back to its queue, it fails there again and is parked again.
        var id = item.GetProperty("id").GetGuid();
        using (var replay = await host.CreateAdminClient().PostAsync($"/api/admin/parked/{id}/replay", null))
            Assert.Equal("sent", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString());
        await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("id").GetGuid() == id
            && i.GetProperty("parkedAt").GetDateTimeOffset() > item.GetProperty("parkedAt").GetDateTimeOffset()), what: "parked again");
        using var discarded = await host.CreateAdminClient().DeleteAsync($"/api/admin/parked/{id}");
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        Assert.Empty(await host.ParkedAsync());
    }

    [Fact]
    public async Task an_incident_the_pattern_projection_cannot_read_is_parked_and_the_next_is_counted()
    {
        long badSequence = await PoisonEvents.AppendAsync(Store, typeof(IncidentCounted),
            $$"""{"incidentId":"{{Guid.NewGuid()}}","occurredOn":"2026-02-30","country":"KG","platform":"telegram","category":"spam"}""");
        var good = new IncidentCounted(Guid.NewGuid(), new DateOnly(2026, 2, 28), "KG", Platform.Telegram, GroundCategory.Spam);
        await PoisonEvents.AppendAsync(Store, typeof(IncidentCounted), Store.Options.Serializer().ToJson(good));

        await Eventually.Until(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<PatternCell>(PatternCell.KeyOf(good.OccurredOn, good.Country, good.Platform, good.Category, good.SubjectType, good.Action)))?.Count;
        }, c => c == 1, what: "the next incident counted");
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("kind").GetString() == "event"), what: "the unreadable incident parked");
        var item = Assert.Single(parked, i => i.GetProperty("kind").GetString() == "event");
        Assert.Equal(badSequence, item.GetProperty("eventSequence").GetInt64());
        Assert.Contains("PatternCell", item.GetProperty("source").GetString());
        using var discarded = await host.CreateAdminClient().DeleteAsync($"/api/admin/parked/{item.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
    }
}
