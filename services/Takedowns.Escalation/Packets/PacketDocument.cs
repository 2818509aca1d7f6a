using System.Text.Json;
using System.Text.Json.Serialization;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Campaigns;
using Takedowns.Escalation.Cases;

namespace Takedowns.Escalation.Packets;

/// <summary>
/// A packet as a platform's trust and safety team reads it (version 1 of its JSON Schema,
/// <c>/api/escalations/schema/v1.json</c>). Property order is fixed, so the same packet always gives the same bytes.
/// </summary>
public sealed record PacketDocument(
    [property: JsonPropertyName("$schema")] string Schema,
    Guid PacketId,
    int Version,
    string Status,
    Platform Platform,
    string Language,
    Guid? OrganisationId,
    string? OrganisationName,
    DateOnly AsOf,
    string? Ask,
    IReadOnlyList<PacketAccount> Accounts,
    IReadOnlyList<TimelineEntry> Timeline,
    Coordination? Coordination,
    int OmittedWithoutConsent)
{
    public const string SchemaPath = "/api/escalations/schema/v1.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// The packet's content from the cases it may hold: those of its reports and its campaign's members that Escalation
    /// has (reports allowed to go to the platform) and the caller may see, on the packet's platform. Campaign members left
    /// out for want of that consent are counted, never named.
    /// </summary>
    public static PacketDocument Build(Packet packet, IReadOnlyList<CaseFile> cases, CampaignFile? campaign, int omitted, DateOnly asOf, string? organisationName = null)
    {
        var accounts = cases.OrderBy(c => c.Facts.OccurredOn).ThenBy(c => c.Facts.Account.Handle, StringComparer.Ordinal).ThenBy(c => c.Id)
            .Select(c => PacketAccount.From(c, asOf, PacketRemedy.For(c, packet))).ToList();
        var timeline = cases.SelectMany(c => TimelineEntry.Of(c)).OrderBy(t => t.On).ThenBy(t => t.Handle, StringComparer.Ordinal).ThenBy(t => t.What, StringComparer.Ordinal).ToList();
        var coordination = campaign is null ? null
            : new Coordination(campaign.Id, campaign.Status, campaign.ReportIds.Count, campaign.PValue, campaign.Signals, campaign.FirstSeen, campaign.LastSeen,
                [.. (campaign.CivicPeriods ?? []).Select(c => new PacketCivicPeriod(c.Country, WireNames<Contracts.Analysis.CivicPeriodType>.Of(c.Type), c.Name, c.Start, c.End))],
                campaign.SignalEvidence is { Count: > 0 } evidence ? [.. evidence.Select(s => new PacketSignal(s.Signal, s.Links, s.OfLinks, s.Share))] : null,
                PacketClaimant.Of(cases));
        return new PacketDocument(SchemaPath, packet.Id, packet.PacketVersion, packet.ContentStatus, packet.Platform, packet.Language,
            packet.OrganisationId, organisationName, asOf, packet.Ask, accounts, timeline, coordination, omitted);
    }
}

/// <summary>One affected account and what happened to it.</summary>
public sealed record PacketAccount(
    Guid ReportId,
    string Handle,
    string? Url,
    string? PlatformId,
    SubjectType SubjectType,
    string Country,
    string? Language,
    long? AudienceSize,
    TakedownAction Action,
    CaseGround Ground,
    DateOnly OccurredOn,
    int DaysDown,
    string AppealStatus,
    DateOnly? AppealFiledOn,
    DateOnly? AppealDecidedOn,
    string? DsaStatementId,
    CaseDsa? Dsa,
    IReadOnlyList<CaseEvidence> Evidence,
    PacketRemedy Remedy)
{
    public static PacketAccount From(CaseFile c, DateOnly asOf, PacketRemedy remedy)
    {
        var f = c.Facts;
        // Down until restored; an account restored on appeal was down until the decision.
        var until = f.Appeal is { Outcome: "restored", DecidedOn: { } decided } ? decided : asOf;
        return new PacketAccount(c.Id, f.Account.Handle, f.Account.Url, f.Account.PlatformId, f.SubjectType, f.Country, f.Language,
            f.AudienceSize, f.Action, f.Ground, f.OccurredOn, Math.Max(0, until.DayNumber - f.OccurredOn.DayNumber),
            f.Appeal switch
            {
                null => "none",
                { Outcome: { } outcome } => outcome,
                _ => "pending",
            },
            f.Appeal?.FiledOn, f.Appeal?.DecidedOn, f.DsaStatementId, f.Dsa, f.Evidence, remedy);
    }
}

/// <summary>
/// The remedy asked for an account: the route the routes table proposes for its platform and ground (or the one the
/// analyst chose, <see cref="Proposed"/> false), its name in the packet's language, its legal basis and what the
/// account holder must supply.
/// </summary>
public sealed record PacketRemedy(string Route, string Name, string Basis, IReadOnlyList<string> Elements, bool Proposed)
{
    public static PacketRemedy For(CaseFile c, Packet packet)
    {
        var table = RemedyRoutes.Shipped;
        // A route the analyst chose stands while the table still has it.
        string? chosen = packet.Routes is { } routes && routes.TryGetValue(c.Id, out var picked) && table.Routes.ContainsKey(picked) ? picked : null;
        string id = chosen ?? table.Propose(c.Facts, campaign: packet.CampaignId is not null);
        var route = table.Routes[id];
        string name = route.Name.TryGetValue(packet.Language, out var n) ? n : route.Name["en"];
        return new PacketRemedy(id, name, route.Basis, route.Elements, Proposed: chosen is null);
    }
}

/// <summary>A dated fact about one account.</summary>
public sealed record TimelineEntry(DateOnly On, string Handle, string What)
{
    public static IEnumerable<TimelineEntry> Of(CaseFile c)
    {
        var f = c.Facts;
        yield return new TimelineEntry(f.OccurredOn, f.Account.Handle, WireNames<TakedownAction>.Of(f.Action));
        if (f.NoticedOn is { } noticed && noticed != f.OccurredOn) yield return new TimelineEntry(noticed, f.Account.Handle, "noticed");
        if (f.Appeal?.FiledOn is { } filed) yield return new TimelineEntry(filed, f.Account.Handle, "appeal_filed");
        if (f.Appeal is { DecidedOn: { } decided, Outcome: { } outcome }) yield return new TimelineEntry(decided, f.Account.Handle, "appeal_" + outcome);
    }
}

/// <summary>Why the takedowns look coordinated, as campaign detection put it, and the civic periods the campaign's days overlap.</summary>
public sealed record Coordination(
    Guid CampaignId, string Status, int Members, double? PValue, IReadOnlyList<string> Signals, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen,
    IReadOnlyList<PacketCivicPeriod> CivicPeriods, IReadOnlyList<PacketSignal>? SignalEvidence = null, IReadOnlyList<PacketClaimant>? Claimants = null);

/// <summary>
/// A claimant as the notices against the packet's accounts name it, and how many of those accounts it took down: the
/// claimant pattern a notice of complaint-mechanism misuse (DSA Article 23) points to. Names are compared without regard
/// to case or surrounding spaces and shown as most of the notices spell them.
/// </summary>
public sealed record PacketClaimant(string Name, int Accounts)
{
    public static IReadOnlyList<PacketClaimant> Of(IEnumerable<CaseFile> cases) =>
        [.. cases.Where(c => !string.IsNullOrWhiteSpace(c.Facts.Ground.Claimant))
            .GroupBy(c => c.Facts.Ground.Claimant!.Trim().ToUpperInvariant())
            .Select(g => new PacketClaimant(
                g.GroupBy(c => c.Facts.Ground.Claimant!.Trim()).OrderByDescending(s => s.Count()).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key,
                g.Count()))
            .OrderByDescending(c => c.Accounts).ThenBy(c => c.Name, StringComparer.Ordinal)];
}

/// <summary>
/// A signal with how much it weighs: in <see cref="Links"/> of the <see cref="OfLinks"/> links among the campaign's
/// reports weighed, and the share of all notices on the platform carrying its most frequent value (null where not measured).
/// </summary>
public sealed record PacketSignal(string Signal, int Links, int OfLinks, double? Share);

/// <summary>A period of the civic calendar (an election, a referendum, protests...) in one country.</summary>
public sealed record PacketCivicPeriod(string Country, string Type, string Name, DateOnly Start, DateOnly End);
