using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Correlation.Campaigns;

/// <summary>A report in a campaign, as analysts see it.</summary>
public sealed record CampaignMember(Guid ReportId, Guid OrganisationId, string? ExternalId, DateTimeOffset OccurredAt, Platform Platform, string Country);

public sealed record CampaignRaised(
    Guid CampaignId, Guid ClusterId, IReadOnlyList<CampaignMember> Members, IReadOnlyList<string> Signals, double Score, double PValue, DateTimeOffset RaisedAt,
    IReadOnlyList<CampaignSignal>? SignalEvidence = null);

public sealed record CampaignReportLinked(Guid CampaignId, CampaignMember Member, DateTimeOffset LinkedAt);

public sealed record CampaignConfirmedByAnalyst(Guid CampaignId, string By, string? Note, DateTimeOffset ConfirmedAt);

public sealed record CampaignDismissedByAnalyst(Guid CampaignId, string By, string Reason, DateTimeOffset DismissedAt);

/// <summary>Campaigns were merged into this one (by an analyst, or because their clusters met).</summary>
public sealed record CampaignAbsorbed(Guid CampaignId, IReadOnlyList<Guid> From, IReadOnlyList<CampaignMember> Members, string By, DateTimeOffset MergedAt);

/// <summary>This campaign now lives on in another.</summary>
public sealed record CampaignMergedInto(Guid CampaignId, Guid Into, string By, DateTimeOffset MergedAt);

public sealed record CampaignReportSplitOff(Guid CampaignId, Guid ReportId, string By, string? Reason, DateTimeOffset SplitAt);

/// <summary>The campaign's signals, score and p-value worked out again from all its reports (after analysts merged campaigns into it).</summary>
public sealed record CampaignRescored(
    Guid CampaignId, int Reports, IReadOnlyList<string> Signals, double Score, double PValue, DateTimeOffset RescoredAt,
    IReadOnlyList<CampaignSignal>? SignalEvidence = null);

public sealed record CampaignAnnotated(Guid CampaignId, string By, string Note, DateTimeOffset AnnotatedAt);

public enum CampaignStatus { Suspected, Confirmed, Dismissed, Merged }

public sealed record TimelineEntry(DateTimeOffset At, string What);

/// <summary>A suspected coordinated complaint campaign and what analysts did with it.</summary>
public sealed record Campaign(
    Guid Id, Guid ClusterId, CampaignStatus Status, IReadOnlyList<CampaignMember> Members, IReadOnlyList<string> Signals, double Score,
    double PValue, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyList<TimelineEntry> Timeline, string? DismissReason,
    Guid? MergedInto, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt, IReadOnlyList<CampaignSignal>? SignalEvidence = null)
{
    public int ReportCount => Members.Count;

    public static Campaign Create(CampaignRaised e) => new(e.CampaignId, e.ClusterId, CampaignStatus.Suspected, e.Members, e.Signals, e.Score, e.PValue,
        e.Members.Min(m => m.OccurredAt), e.Members.Max(m => m.OccurredAt),
        [new TimelineEntry(e.RaisedAt, $"Suspected: {e.Members.Count} reports linked by {string.Join(", ", e.Signals)} (p = {e.PValue:G2})")],
        null, null, e.RaisedAt, e.RaisedAt, e.SignalEvidence);

    public static Campaign Apply(CampaignReportLinked e, Campaign c) => WithMembers(c, [.. c.Members, e.Member], e.LinkedAt) with
    {
        Timeline = [.. c.Timeline, new TimelineEntry(e.LinkedAt, $"Report {e.Member.ExternalId ?? e.Member.ReportId.ToString()} linked")],
    };

    public static Campaign Apply(CampaignConfirmedByAnalyst e, Campaign c) => c with
    {
        Status = CampaignStatus.Confirmed, UpdatedAt = e.ConfirmedAt,
        Timeline = [.. c.Timeline, new TimelineEntry(e.ConfirmedAt, $"Confirmed by {e.By}" + (e.Note is null ? "" : $": {e.Note}"))],
    };

    public static Campaign Apply(CampaignDismissedByAnalyst e, Campaign c) => c with
    {
        Status = CampaignStatus.Dismissed, DismissReason = e.Reason, UpdatedAt = e.DismissedAt,
        Timeline = [.. c.Timeline, new TimelineEntry(e.DismissedAt, $"Dismissed by {e.By}: {e.Reason}")],
    };

    public static Campaign Apply(CampaignAbsorbed e, Campaign c) =>
        WithMembers(c, c.Members.Concat(e.Members).DistinctBy(m => m.ReportId).ToList(), e.MergedAt) with
        {
            Timeline = [.. c.Timeline, new TimelineEntry(e.MergedAt, $"Merged with {string.Join(", ", e.From)} by {e.By}")],
        };

    public static Campaign Apply(CampaignMergedInto e, Campaign c) => c with
    {
        Status = CampaignStatus.Merged, MergedInto = e.Into, UpdatedAt = e.MergedAt,
        Timeline = [.. c.Timeline, new TimelineEntry(e.MergedAt, $"Merged into {e.Into} by {e.By}")],
    };

    public static Campaign Apply(CampaignReportSplitOff e, Campaign c) =>
        WithMembers(c, c.Members.Where(m => m.ReportId != e.ReportId).ToList(), e.SplitAt) with
        {
            Timeline = [.. c.Timeline, new TimelineEntry(e.SplitAt, $"Report {e.ReportId} split off by {e.By}" + (e.Reason is null ? "" : $": {e.Reason}"))],
        };

    public static Campaign Apply(CampaignAnnotated e, Campaign c) => c with
    {
        UpdatedAt = e.AnnotatedAt, Timeline = [.. c.Timeline, new TimelineEntry(e.AnnotatedAt, $"Note by {e.By}: {e.Note}")],
    };

    public static Campaign Apply(CampaignRescored e, Campaign c) => c with
    {
        Signals = e.Signals, SignalEvidence = e.SignalEvidence, Score = e.Score, PValue = e.PValue, UpdatedAt = e.RescoredAt,
        Timeline = [.. c.Timeline, new TimelineEntry(e.RescoredAt,
            $"Worked out again from its {e.Reports} reports: linked by {string.Join(", ", e.Signals)} (p = {e.PValue:G2})")],
    };

    private static Campaign WithMembers(Campaign c, IReadOnlyList<CampaignMember> members, DateTimeOffset at) => c with
    {
        Members = members,
        FirstSeen = members.Count == 0 ? c.FirstSeen : members.Min(m => m.OccurredAt),
        LastSeen = members.Count == 0 ? c.LastSeen : members.Max(m => m.OccurredAt),
        UpdatedAt = at,
    };

    /// <summary>The state after one more event: how the detector keeps the documents of campaigns it writes to.</summary>
    public static Campaign? Next(Campaign? c, object e) => (c, e) switch
    {
        (null, CampaignRaised r) => Create(r),
        (null, _) => null,
        (_, CampaignReportLinked x) => Apply(x, c),
        (_, CampaignConfirmedByAnalyst x) => Apply(x, c),
        (_, CampaignDismissedByAnalyst x) => Apply(x, c),
        (_, CampaignAbsorbed x) => Apply(x, c),
        (_, CampaignMergedInto x) => Apply(x, c),
        (_, CampaignReportSplitOff x) => Apply(x, c),
        (_, CampaignAnnotated x) => Apply(x, c),
        (_, CampaignRescored x) => Apply(x, c),
        _ => c,
    };

    /// <summary>Whether analysts may still act on it: merged campaigns live on in another.</summary>
    public bool IsOpen => Status != CampaignStatus.Merged;
}
