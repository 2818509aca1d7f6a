namespace Takedowns.Contracts.Escalation;

/// <summary>
/// What a platform did about the accounts of an escalation packet, as the escalating analyst recorded it: per report, the
/// outcome (restored, partially_restored, upheld, no_answer) and its day. The latest word on a report wins, across
/// packets (the latest <paramref name="RecordedAt"/>, then the latest day). Carries report ids and outcomes only: no handle, no text.
/// </summary>
public sealed record RemedyOutcomes(
    Guid PacketId, Platform Platform, Guid? CampaignId, IReadOnlyList<RemedyOutcome> Outcomes, DateTimeOffset RecordedAt);

/// <summary>One account's outcome.</summary>
public sealed record RemedyOutcome(Guid ReportId, string Outcome, DateOnly On)
{
    public static readonly string[] Names = ["restored", "partially_restored", "upheld", "no_answer"];
}
