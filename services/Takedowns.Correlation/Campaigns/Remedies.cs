using Marten;
using MassTransit;
using Takedowns.Contracts.Escalation;

namespace Takedowns.Correlation.Campaigns;

/// <summary>The latest outcome Escalation recorded for a report's account (the platform restored it, upheld the takedown...).</summary>
public sealed record RemedyRecord(Guid Id, string Outcome, DateOnly On, DateTimeOffset RecordedAt, Guid PacketId);

/// <summary>How the platforms answered for a campaign's accounts, as far as escalations recorded it.</summary>
public sealed record CampaignRemedies(int Restored, int PartiallyRestored, int Upheld, int NoAnswer)
{
    public static CampaignRemedies Of(IEnumerable<RemedyRecord> records)
    {
        var counts = records.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
        return new CampaignRemedies(counts.GetValueOrDefault("restored"), counts.GetValueOrDefault("partially_restored"),
            counts.GetValueOrDefault("upheld"), counts.GetValueOrDefault("no_answer"));
    }
}

/// <summary>
/// Keeps each report's latest <see cref="RemedyRecord"/> from Escalation's <see cref="RemedyOutcomes"/>: the latest
/// recording wins (an analyst's correction of an earlier one, as Escalation reads it), so a message delivered again or
/// late changes nothing.
/// </summary>
public sealed class RemedyOutcomesConsumer(IDocumentSession session) : IConsumer<RemedyOutcomes>
{
    public async Task Consume(ConsumeContext<RemedyOutcomes> context)
    {
        var m = context.Message;
        var latest = m.Outcomes.Where(o => RemedyOutcome.Names.Contains(o.Outcome)).GroupBy(o => o.ReportId).Select(g => g.Last()).ToList();
        var known = (await session.LoadManyAsync<RemedyRecord>(context.CancellationToken, latest.Select(o => o.ReportId))).ToDictionary(r => r.Id);
        foreach (var o in latest)
        {
            if (known.TryGetValue(o.ReportId, out var k) && (k.RecordedAt, k.On).CompareTo((m.RecordedAt, o.On)) > 0) continue;
            session.Store(new RemedyRecord(o.ReportId, o.Outcome, o.On, m.RecordedAt, m.PacketId));
        }
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>One message at a time: each reads its reports' records and writes them back.</summary>
public sealed class RemedyOutcomesConsumerDefinition : ConsumerDefinition<RemedyOutcomesConsumer>
{
    public RemedyOutcomesConsumerDefinition() => ConcurrentMessageLimit = 1;
}
