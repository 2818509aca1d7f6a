namespace Takedowns.Contracts.Analysis;

/// <summary>
/// Correlation suspects that these takedown reports are one coordinated complaint campaign. <paramref name="Signals"/> say,
/// in words an analyst understands, what the reports share. Carries ids and counts, never notice text or claimant names.
/// <paramref name="SignalEvidence"/>: each signal with how often it links the reports and how rare it is.
/// <paramref name="CivicPeriods"/>: the civic calendar's periods in the campaign's countries that its days overlap, as the
/// calendar stood when the message was sent (every campaign message carries them so).
/// </summary>
public sealed record CampaignSuspected(
    Guid CampaignId, IReadOnlyList<Guid> ReportIds, double Score, double PValue, IReadOnlyList<string> Signals,
    IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    DateTimeOffset SuspectedAt, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null, IReadOnlyList<CampaignSignal>? SignalEvidence = null);

/// <summary>
/// One signal a campaign's reports share, as a trust and safety reader weighs it: in how many of the links among the
/// reports weighed (<paramref name="Links"/> of <paramref name="OfLinks"/>), and, for a value that can be counted (a
/// claimant, a policy, a claimed original's domain), the share of all notices on the platform that carry it
/// (<paramref name="Share"/>, smoothed; null where not measured, as for alike texts).
/// </summary>
public sealed record CampaignSignal(string Signal, int Links, int OfLinks, double? Share);

/// <summary>
/// An analyst confirmed the campaign. The optional fields say what the campaign held at that moment and its
/// <paramref name="Revision"/> (the version of the campaign's history it was read at, which grows with every change):
/// a consumer applies a campaign's reports, countries and platforms only from a message newer than the one it applied.
/// </summary>
public sealed record CampaignConfirmed(
    Guid CampaignId, IReadOnlyList<Guid> ReportIds, string? Note, DateTimeOffset ConfirmedAt,
    IReadOnlyList<string>? Countries = null, IReadOnlyList<Platform>? Platforms = null, DateTimeOffset? FirstSeen = null, DateTimeOffset? LastSeen = null,
    long? Revision = null, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null);

/// <summary>
/// Detection linked more reports to a campaign it had raised: <paramref name="ReportIds"/>, countries, platforms and dates
/// are what the campaign holds now, as of <paramref name="Revision"/> (see <see cref="CampaignConfirmed"/>). Sent once per
/// campaign for each run of links, not once per report.
/// </summary>
public sealed record CampaignReportsLinked(
    Guid CampaignId, IReadOnlyList<Guid> ReportIds, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset LinkedAt, long Revision, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null);

/// <summary>An analyst dismissed the campaign, with the reason.</summary>
public sealed record CampaignDismissed(Guid CampaignId, string Reason, DateTimeOffset DismissedAt);

/// <summary>
/// Campaigns were merged into <paramref name="CampaignId"/>; the others are closed. The optional fields describe the merged
/// campaign as <see cref="CampaignConfirmed"/>'s do.
/// </summary>
public sealed record CampaignsMerged(
    Guid CampaignId, IReadOnlyList<Guid> MergedIds, IReadOnlyList<Guid> ReportIds, DateTimeOffset MergedAt,
    IReadOnlyList<string>? Countries = null, IReadOnlyList<Platform>? Platforms = null, DateTimeOffset? FirstSeen = null, DateTimeOffset? LastSeen = null,
    long? Revision = null, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null);

/// <summary>
/// An analyst took a report out of a campaign: <paramref name="ReportIds"/>, countries, platforms and dates are what the
/// campaign holds without it, as of <paramref name="Revision"/> (see <see cref="CampaignConfirmed"/>).
/// </summary>
public sealed record CampaignReportSplitOff(
    Guid CampaignId, Guid ReportId, IReadOnlyList<Guid> ReportIds, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset SplitAt, long Revision, IReadOnlyList<CivicPeriodRef>? CivicPeriods = null);
