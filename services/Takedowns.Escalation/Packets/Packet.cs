using Takedowns.Contracts;

namespace Takedowns.Escalation.Packets;

// Events of a packet's stream.

/// <summary>
/// A packet was drafted for one platform from a campaign, a list of reports, or both. <paramref name="Organisations"/>:
/// the drafting organisation (none for the admin) and those whose reports it holds, who may all see it.
/// <paramref name="ReportIds"/>: every report it holds, the campaign's included; <paramref name="Omitted"/>: the campaign's
/// members left out because Escalation may not hold them (no consent to escalate, or not shared with the drafter).
/// </summary>
public sealed record PacketDrafted(
    Guid PacketId, Guid? OrganisationId, Platform Platform, Guid? CampaignId, IReadOnlyList<Guid> ReportIds, string Language,
    string? Ask, IReadOnlyList<Guid> Organisations, int Omitted, DateTimeOffset DraftedAt);

/// <summary>
/// A version was frozen and signed: <paramref name="Content"/> is exactly the bytes (UTF-8 JSON) served for it, their
/// SHA-256 in hex, and a detached ES256 JWS over them. <paramref name="Organisations"/>: those whose reports the version
/// holds, who may see the packet from then on (a report may have joined the campaign after the draft);
/// <paramref name="Reports"/>: the reports it holds.
/// </summary>
public sealed record PacketFinalised(
    Guid PacketId, int Version, string Content, string Sha256, string Signature, string KeyId, DateTimeOffset FinalisedAt,
    IReadOnlyList<Guid>? Organisations = null, IReadOnlyList<Guid>? Reports = null);

/// <summary>
/// The analyst changed the draft: the ask and language (null: unchanged; <paramref name="ClearAsk"/>: removed),
/// accounts taken out, and the remedy route chosen for accounts instead of the one proposed. A change to a finalised packet opens the next version.
/// </summary>
public sealed record PacketAmended(
    Guid PacketId, string? Ask, bool ClearAsk, string? Language, IReadOnlyList<Guid> Removed, DateTimeOffset AmendedAt,
    IReadOnlyDictionary<Guid, string>? Routes = null);

/// <summary>The finalised version was sent to the platform: how, under which reference, on which day.</summary>
public sealed record PacketSent(Guid PacketId, int Version, string Channel, string? Reference, DateOnly On, DateTimeOffset RecordedAt);

/// <summary>The platform answered, in its words.</summary>
public sealed record PlatformResponded(Guid PacketId, string Text, DateOnly On, DateTimeOffset RecordedAt);

/// <summary>What the platform did about each account, as far as known.</summary>
public sealed record OutcomesRecorded(Guid PacketId, IReadOnlyList<AccountOutcome> Outcomes, DateTimeOffset RecordedAt);

/// <summary>restored, partially_restored, upheld or no_answer, and the day.</summary>
public sealed record AccountOutcome(Guid ReportId, string Outcome, DateOnly On);

/// <summary>
/// A report a finalised version holds was retracted, or its reporter no longer allows escalation to the platform. The
/// frozen version keeps it (its bytes are signed); the next version leaves it out.
/// </summary>
public sealed record ReportWithdrawn(Guid PacketId, Guid ReportId, DateTimeOffset At);

/// <summary>A report withdrawn from a finalised version, and when Escalation learnt of it.</summary>
public sealed record WithdrawnReport(Guid ReportId, DateTimeOffset At);

/// <summary>The escalation is over.</summary>
public sealed record PacketClosed(Guid PacketId, string? Reason, DateTimeOffset ClosedAt);

/// <summary>When and how a packet went to the platform.</summary>
public sealed record Sending(int Version, string Channel, string? Reference, DateOnly On);

/// <summary>A platform's answer.</summary>
public sealed record PlatformResponse(string Text, DateOnly On);

/// <summary>One frozen version, as finalised.</summary>
public sealed record FrozenVersion(int Version, string Sha256, string Signature, string KeyId, DateTimeOffset FinalisedAt);

/// <summary>
/// The packet's state, folded from its events (a Marten snapshot kept with every append). <see cref="PacketVersion"/> is
/// the version being drafted, or the last one finalised when nothing changed since (not named Version: Marten would
/// write the stream's version there). <see cref="Held"/>: the reports the last finalised version holds.
/// </summary>
public sealed record Packet(
    Guid Id,
    Guid? OrganisationId,
    Platform Platform,
    Guid? CampaignId,
    IReadOnlyList<Guid> ReportIds,
    string Language,
    string? Ask,
    IReadOnlyList<Guid> Organisations,
    int Omitted,
    int PacketVersion,
    bool Finalised,
    IReadOnlyList<FrozenVersion> Frozen,
    DateTimeOffset DraftedAt,
    DateTimeOffset UpdatedAt,
    Sending? Sent = null,
    IReadOnlyList<PlatformResponse>? Responses = null,
    IReadOnlyList<AccountOutcome>? Outcomes = null,
    DateTimeOffset? ClosedAt = null,
    string? CloseReason = null,
    IReadOnlyDictionary<Guid, string>? Routes = null,
    IReadOnlyList<Guid>? Removed = null,
    IReadOnlyList<Guid>? Held = null,
    IReadOnlyList<WithdrawnReport>? Withdrawn = null)
{
    /// <summary>Where the packet stands: draft, finalised, sent, answered (a response or an outcome), closed.</summary>
    public string Status =>
        ClosedAt is not null ? "closed"
        : Sent is not null && ((Responses?.Count ?? 0) > 0 || (Outcomes?.Count ?? 0) > 0) ? "answered"
        : Sent is not null ? "sent"
        : Finalised ? "finalised" : "draft";

    /// <summary>Sent, unanswered, and more than <paramref name="days"/> days ago.</summary>
    public bool OverdueOn(DateOnly today, int days) => Status == "sent" && Sent!.On.AddDays(days) < today;

    /// <summary>Overdue by the days the routes table gives the packet's platform to answer.</summary>
    public bool Overdue(DateOnly today) => OverdueOn(today, Packets.RemedyRoutes.Shipped.AnswerDays(Platform));

    /// <summary>The content's status: a packet sent, answered or closed was finalised first.</summary>
    public string ContentStatus => Finalised ? "finalised" : "draft";

    public static Packet Create(PacketDrafted e) =>
        new(e.PacketId, e.OrganisationId, e.Platform, e.CampaignId, e.ReportIds, e.Language, e.Ask, e.Organisations, e.Omitted, 1, false, [],
            e.DraftedAt, e.DraftedAt);

    public static Packet Apply(PacketFinalised e, Packet p) => p with
    {
        Finalised = true,
        Frozen = [.. p.Frozen, new FrozenVersion(e.Version, e.Sha256, e.Signature, e.KeyId, e.FinalisedAt)],
        Organisations = e.Organisations is null ? p.Organisations : [.. p.Organisations.Union(e.Organisations)],
        Held = e.Reports ?? p.Held,
        // What was withdrawn from an earlier version and is not in this one is settled.
        Withdrawn = e.Reports is null ? p.Withdrawn : [.. (p.Withdrawn ?? []).Where(w => e.Reports.Contains(w.ReportId))],
        UpdatedAt = e.FinalisedAt,
    };

    public static Packet Apply(PacketAmended e, Packet p) => (p.Finalised ? p with { PacketVersion = p.PacketVersion + 1, Finalised = false } : p) with
    {
        Ask = e.ClearAsk ? null : e.Ask ?? p.Ask,
        Language = e.Language ?? p.Language,
        ReportIds = [.. p.ReportIds.Where(id => !e.Removed.Contains(id))],
        Removed = e.Removed.Count == 0 ? p.Removed : [.. (p.Removed ?? []).Union(e.Removed)],
        Routes = e.Routes is null ? p.Routes : (p.Routes ?? new Dictionary<Guid, string>()).Concat(e.Routes).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        UpdatedAt = e.AmendedAt,
    };

    public static Packet Apply(PacketSent e, Packet p) => p with { Sent = new Sending(e.Version, e.Channel, e.Reference, e.On), UpdatedAt = e.RecordedAt };

    public static Packet Apply(PlatformResponded e, Packet p) =>
        p with { Responses = [.. p.Responses ?? [], new PlatformResponse(e.Text, e.On)], UpdatedAt = e.RecordedAt };

    /// <summary>The latest word on each account wins.</summary>
    public static Packet Apply(OutcomesRecorded e, Packet p) => p with
    {
        Outcomes = [.. (p.Outcomes ?? []).Where(o => !e.Outcomes.Any(n => n.ReportId == o.ReportId)), .. e.Outcomes],
        UpdatedAt = e.RecordedAt,
    };

    public static Packet Apply(ReportWithdrawn e, Packet p) => p with
    {
        Withdrawn = [.. (p.Withdrawn ?? []).Where(w => w.ReportId != e.ReportId), new WithdrawnReport(e.ReportId, e.At)],
        UpdatedAt = e.At,
    };

    public static Packet Apply(PacketClosed e, Packet p) => p with { ClosedAt = e.ClosedAt, CloseReason = e.Reason, UpdatedAt = e.ClosedAt };

    /// <summary>
    /// Whether an organisation's key may see the packet: it drafted it, or the packet held that organisation's reports when
    /// drafted or in a version finalised since.
    /// </summary>
    public bool VisibleTo(Guid organisationId) => Organisations.Contains(organisationId);
}

/// <summary>A finalised version's bytes, kept beside the event that froze them so that they are served unchanged for ever.</summary>
public sealed record FrozenPacket(string Id, Guid PacketId, int Version, string Content)
{
    public static string IdOf(Guid packetId, int version) => $"{packetId:N}:{version}";
}
