namespace Takedowns.Contracts.Analysis;

/// <summary>
/// Correlation suspects that these takedown reports are one coordinated complaint campaign. <paramref name="Signals"/> say,
/// in words an analyst understands, what the reports share. Carries ids and counts, never notice text or claimant names.
/// </summary>
public sealed record CampaignSuspected(
    Guid CampaignId, IReadOnlyList<Guid> ReportIds, double Score, double PValue, IReadOnlyList<string> Signals,
    IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    DateTimeOffset SuspectedAt);

/// <summary>An analyst confirmed the campaign.</summary>
public sealed record CampaignConfirmed(Guid CampaignId, IReadOnlyList<Guid> ReportIds, string? Note, DateTimeOffset ConfirmedAt);

/// <summary>An analyst dismissed the campaign, with the reason.</summary>
public sealed record CampaignDismissed(Guid CampaignId, string Reason, DateTimeOffset DismissedAt);

/// <summary>Campaigns were merged into <paramref name="CampaignId"/>; the others are closed.</summary>
public sealed record CampaignsMerged(Guid CampaignId, IReadOnlyList<Guid> MergedIds, IReadOnlyList<Guid> ReportIds, DateTimeOffset MergedAt);
