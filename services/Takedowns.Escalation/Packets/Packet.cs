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
/// SHA-256 in hex, and a detached ES256 JWS over them.
/// </summary>
public sealed record PacketFinalised(Guid PacketId, int Version, string Content, string Sha256, string Signature, string KeyId, DateTimeOffset FinalisedAt);

/// <summary>One frozen version, as finalised.</summary>
public sealed record FrozenVersion(int Version, string Sha256, string Signature, string KeyId, DateTimeOffset FinalisedAt);

/// <summary>
/// The packet's state, folded from its events (a Marten snapshot kept with every append). <see cref="PacketVersion"/> is
/// the version being drafted, or the last one finalised when nothing changed since (not named Version: Marten would
/// write the stream's version there).
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
    DateTimeOffset UpdatedAt)
{
    public string Status => Finalised ? "finalised" : "draft";

    public static Packet Create(PacketDrafted e) =>
        new(e.PacketId, e.OrganisationId, e.Platform, e.CampaignId, e.ReportIds, e.Language, e.Ask, e.Organisations, e.Omitted, 1, false, [],
            e.DraftedAt, e.DraftedAt);

    public static Packet Apply(PacketFinalised e, Packet p) => p with
    {
        Finalised = true,
        Frozen = [.. p.Frozen, new FrozenVersion(e.Version, e.Sha256, e.Signature, e.KeyId, e.FinalisedAt)],
        UpdatedAt = e.FinalisedAt,
    };

    /// <summary>Whether an organisation's key may see the packet: it drafted it, or it holds that organisation's reports.</summary>
    public bool VisibleTo(Guid organisationId) => Organisations.Contains(organisationId);
}

/// <summary>A finalised version's bytes, kept beside the event that froze them so that they are served unchanged for ever.</summary>
public sealed record FrozenPacket(string Id, Guid PacketId, int Version, string Content)
{
    public static string IdOf(Guid packetId, int version) => $"{packetId:N}:{version}";
}
