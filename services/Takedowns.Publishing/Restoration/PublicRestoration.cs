using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Restoration;

/// <summary>
/// The latest outcome Escalation recorded for a report's account, kept only for reports counted in public statistics,
/// with the public cell of their incident (platform, ground, day of the takedown). Never shown one by one.
/// </summary>
public sealed record PublicOutcome(Guid Id, string Outcome, DateOnly On, DateTimeOffset RecordedAt, Platform Platform, GroundCategory Category, DateOnly OccurredOn);

/// <summary>
/// Keeps each public report's latest outcome from <see cref="RemedyOutcomes"/> (the latest recording wins, so a message
/// delivered again or late changes nothing). A report not counted publicly (no consent to public statistics, retracted)
/// is left out.
/// </summary>
public sealed class RemedyOutcomesConsumer(IDocumentSession session) : IConsumer<RemedyOutcomes>
{
    public async Task Consume(ConsumeContext<RemedyOutcomes> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var latest = m.Outcomes.Where(o => RemedyOutcome.Names.Contains(o.Outcome)).GroupBy(o => o.ReportId).Select(g => g.Last()).ToList();
        var known = (await session.LoadManyAsync<PublicOutcome>(ct, latest.Select(o => o.ReportId))).ToDictionary(r => r.Id);
        foreach (var o in latest)
        {
            if (known.TryGetValue(o.ReportId, out var k) && (k.RecordedAt, k.On).CompareTo((m.RecordedAt, o.On)) > 0) continue;
            var report = await session.Events.AggregateStreamAsync<PublicReport>(o.ReportId, token: ct);
            if (report?.CountedIn is not { } incidentId) continue;
            var incident = await session.Events.AggregateStreamAsync<PublicIncident>(incidentId, token: ct);
            if (incident?.Standing.FirstOrDefault(r => r.ReportId == o.ReportId) is not { } cell) continue;
            session.Store(new PublicOutcome(o.ReportId, o.Outcome, o.On, m.RecordedAt, cell.Platform, cell.Category, cell.OccurredOn));
        }
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>One message at a time: each reads its reports' outcomes and writes them back.</summary>
public sealed class RemedyOutcomesConsumerDefinition : ConsumerDefinition<RemedyOutcomesConsumer>
{
    public RemedyOutcomesConsumerDefinition() => ConcurrentMessageLimit = 1;
}

/// <summary>
/// Per platform and ground: how many accounts the platform answered for, the share restored (fully or partly) and the
/// median days from the takedown to the restoration, for groups of at least k answers.
/// </summary>
public sealed record RestorationRow(Platform Platform, GroundCategory Category, int Answered, double RestoredShare, double? MedianDaysToRestore);

public sealed record RestorationResponse(int SuppressionThreshold, IReadOnlyList<RestorationRow> Items);

public static class PublicRestorationEndpoints
{
    public static void MapPublicRestoration(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/restoration", async (IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
            {
                int k = Math.Max(1, options.Value.SuppressionThreshold);
                var outcomes = await session.Query<PublicOutcome>().Where(o => o.Outcome != "no_answer").ToListAsync(ct);
                return Results.Ok(new RestorationResponse(k, Rows(outcomes, k)));
            })
            .AllowAnonymous()
            .WithName("GetPublicRestoration")
            .WithTags("Public")
            .WithSummary("How often and how fast platforms restore accounts, per platform and ground")
            .WithDescription("From the outcomes recorded on escalation packets: per platform and ground category, the accounts the platform " +
                             "answered for (restored, partially restored or upheld), the share restored, and the median days from the " +
                             "takedown to the restoration. Groups of fewer than k answers are not shown. No other grouping is published, " +
                             "so no group can be worked out from others.")
            .Produces<RestorationResponse>();

    public static IReadOnlyList<RestorationRow> Rows(IEnumerable<PublicOutcome> answered, int k) =>
        answered.GroupBy(o => (o.Platform, o.Category))
            .Where(g => g.Count() >= k)
            .OrderBy(g => g.Key.Platform).ThenBy(g => g.Key.Category)
            .Select(g =>
            {
                var restored = g.Where(o => o.Outcome is "restored" or "partially_restored").Select(o => (double)o.On.DayNumber - o.OccurredOn.DayNumber).Order().ToList();
                double? median = restored.Count == 0 ? null
                    : restored.Count % 2 == 1 ? restored[restored.Count / 2] : (restored[restored.Count / 2 - 1] + restored[restored.Count / 2]) / 2;
                return new RestorationRow(g.Key.Platform, g.Key.Category, g.Count(), Math.Round((double)restored.Count / g.Count(), 3), median);
            })
            .ToList();
}
