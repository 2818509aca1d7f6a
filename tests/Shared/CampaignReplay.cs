using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.Scenarios;
using Takedowns.ServiceDefaults;

namespace Takedowns.Scenarios.Replay;

/// <summary>
/// Replaying a scenario into campaign detection, shared (as a linked source file) by the detection tests and the
/// benchmark: a synthetic report as the detector receives it, and the campaigns its events describe, each stream
/// folded as the service folds it (<see cref="Campaign.Next"/>).
/// </summary>
internal sealed class CampaignReplay
{
    private readonly Dictionary<Guid, (Campaign? Campaign, int RaisedAfter)> _streams = [];

    /// <summary>A report with the ids the service would give it, and its notice as shared with analysts.</summary>
    public static NoticeReport Report(SyntheticReport r) =>
        new(NameBasedGuid.Create($"report:{r.ExternalId}"), Guid.Empty, NameBasedGuid.Create($"incident:{r.Platform}|{r.AccountHandle}|{r.Action}"),
            r.Country, r.Platform, r.SubjectType, r.Category, DateOnly.FromDateTime(r.OccurredAt.UtcDateTime), r.OccurredAt, r.ExternalId,
            new ReportNotice(r.Policy, r.Claimant, r.NoticeText, r.ClaimedOriginalUrl is null ? null : new Uri(r.ClaimedOriginalUrl).Host), 1);

    /// <param name="arrived">How many reports had arrived before the one that gave these events.</param>
    public void Add(IEnumerable<(Guid CampaignId, object Event)> events, int arrived)
    {
        foreach (var (id, e) in events)
        {
            var (campaign, raisedAfter) = _streams.GetValueOrDefault(id, (null, arrived));
            _streams[id] = (Campaign.Next(campaign, e), raisedAfter);
        }
    }

    /// <summary>The campaigns standing now (those merged into another live on in it), by their reports' external ids.</summary>
    public IReadOnlyList<DetectedCampaign> Campaigns() =>
        _streams.Values.Where(s => s.Campaign is { Status: not CampaignStatus.Merged })
            .Select(s => new DetectedCampaign(s.Campaign!.Members.Select(m => m.ExternalId!).ToHashSet(), s.RaisedAfter)).ToList();

    /// <summary>The campaigns standing now, as the service holds them (signals, score and p-value included).</summary>
    public IEnumerable<Campaign> Standing() =>
        _streams.Values.Select(s => s.Campaign).OfType<Campaign>().Where(c => c.Status != CampaignStatus.Merged);
}
