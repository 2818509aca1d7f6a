using Marten;
using MassTransit;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Escalation.Campaigns;

/// <summary>
/// A campaign as Correlation described it on the bus: its members (report ids), the signals in words, how unlikely the
/// reports' likeness is by chance (the p-value) and what analysts decided. <see cref="Revision"/> orders the messages that
/// carry one (an older membership never overwrites a newer one). <see cref="CivicPeriods"/>: the civic calendar's periods
/// its days overlap in its countries, as Correlation last said.
/// </summary>
public sealed record CampaignFile(
    Guid Id, string Status, IReadOnlyList<Guid> ReportIds, double? PValue, IReadOnlyList<string> Signals,
    IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen,
    long Revision, Guid? MergedInto = null, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null, IReadOnlyList<CampaignSignal>? SignalEvidence = null);

/// <summary>Keeps <see cref="CampaignFile"/>s from Correlation's campaign events, one message at a time.</summary>
public sealed class CampaignConsumer(IDocumentSession session) :
    IConsumer<CampaignSuspected>, IConsumer<CampaignConfirmed>, IConsumer<CampaignDismissed>, IConsumer<CampaignsMerged>,
    IConsumer<CampaignReportSplitOff>, IConsumer<CampaignReportsLinked>
{
    public Task Consume(ConsumeContext<CampaignSuspected> context) => UpdateAsync(context.Message.CampaignId, known =>
    {
        var m = context.Message;
        // A suspicion carries no revision: it is the campaign's first word, and never overrides a later one.
        return known is not null
            ? known with { PValue = m.PValue, Signals = m.Signals, SignalEvidence = m.SignalEvidence, CivicPeriods = known.Revision > 0 ? known.CivicPeriods ?? m.CivicPeriods : m.CivicPeriods ?? known.CivicPeriods }
            : new CampaignFile(m.CampaignId, "suspected", m.ReportIds, m.PValue, m.Signals, m.Countries, m.Platforms, m.FirstSeen, m.LastSeen, 0,
                CivicPeriods: m.CivicPeriods, SignalEvidence: m.SignalEvidence);
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<CampaignConfirmed> context) => UpdateAsync(context.Message.CampaignId, known =>
    {
        var m = context.Message;
        var file = (known ?? Empty(m.CampaignId)) with { Status = "confirmed" };
        return m.Revision is { } revision && revision >= file.Revision
            ? file with
            {
                ReportIds = m.ReportIds, Countries = m.Countries ?? file.Countries, Platforms = m.Platforms ?? file.Platforms,
                FirstSeen = m.FirstSeen ?? file.FirstSeen, LastSeen = m.LastSeen ?? file.LastSeen, Revision = revision,
                CivicPeriods = m.CivicPeriods ?? file.CivicPeriods,
            }
            : file with { ReportIds = file.ReportIds.Count == 0 ? m.ReportIds : file.ReportIds };
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<CampaignDismissed> context) =>
        UpdateAsync(context.Message.CampaignId, known => (known ?? Empty(context.Message.CampaignId)) with { Status = "dismissed" }, context.CancellationToken);

    public async Task Consume(ConsumeContext<CampaignsMerged> context)
    {
        var m = context.Message;
        var known = await session.LoadAsync<CampaignFile>(m.CampaignId, context.CancellationToken);
        var file = known ?? Empty(m.CampaignId);
        if (m.Revision is not { } revision || revision >= file.Revision)
            file = file with
            {
                ReportIds = m.ReportIds, Countries = m.Countries ?? file.Countries, Platforms = m.Platforms ?? file.Platforms,
                FirstSeen = m.FirstSeen ?? file.FirstSeen, LastSeen = m.LastSeen ?? file.LastSeen, Revision = m.Revision ?? file.Revision,
                CivicPeriods = m.CivicPeriods ?? file.CivicPeriods,
            };
        session.Store(file);
        foreach (var merged in (await session.LoadManyAsync<CampaignFile>(context.CancellationToken, m.MergedIds.Where(id => id != m.CampaignId))))
            session.Store(merged with { Status = "merged", MergedInto = m.CampaignId });
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CampaignReportSplitOff> context) => UpdateAsync(context.Message.CampaignId, known =>
    {
        var m = context.Message;
        var file = known ?? Empty(m.CampaignId);
        return m.Revision < file.Revision ? file
            : file with { ReportIds = m.ReportIds, Countries = m.Countries, Platforms = m.Platforms, FirstSeen = m.FirstSeen, LastSeen = m.LastSeen, Revision = m.Revision,
                CivicPeriods = m.CivicPeriods ?? file.CivicPeriods };
    }, context.CancellationToken);

    /// <summary>Reports detection linked to the campaign since it was raised: its membership as of the message's revision.</summary>
    public Task Consume(ConsumeContext<CampaignReportsLinked> context) => UpdateAsync(context.Message.CampaignId, known =>
    {
        var m = context.Message;
        var file = known ?? Empty(m.CampaignId);
        return m.Revision < file.Revision ? file
            : file with
            {
                ReportIds = m.ReportIds, Countries = m.Countries, Platforms = m.Platforms, FirstSeen = m.FirstSeen, LastSeen = m.LastSeen, Revision = m.Revision,
                CivicPeriods = m.CivicPeriods ?? file.CivicPeriods,
            };
    }, context.CancellationToken);

    private static CampaignFile Empty(Guid id) => new(id, "suspected", [], null, [], [], [], null, null, 0);

    private async Task UpdateAsync(Guid id, Func<CampaignFile?, CampaignFile> update, CancellationToken ct)
    {
        session.Store(update(await session.LoadAsync<CampaignFile>(id, ct)));
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>One campaign message at a time: each reads a campaign's record and writes it back.</summary>
public sealed class CampaignConsumerDefinition : ConsumerDefinition<CampaignConsumer>
{
    public CampaignConsumerDefinition() => ConcurrentMessageLimit = 1;
}
