using System.Text.Json.Serialization;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>The affected account, as the reporter describes it. Public information about the subject, not the reporter.</summary>
public sealed record Account(string Handle, string? Url, string? PlatformId);

/// <summary>What the platform gave as the reason.</summary>
public sealed record Ground(
    GroundCategory Category, string? Policy, string? NoticeText, string? Claimant,
    int? ComplaintsCount = null, bool? LookedAutomated = null, string? ClaimedOriginalUrl = null);

/// <summary>A piece of evidence: always its hash, optionally its file (stored content-addressed by that hash).</summary>
public sealed record EvidenceItem(string Sha256, string MediaType, string? Caption, long? Size = null);

/// <summary>Who may see the report beyond its own organisation.</summary>
public sealed record Consent(bool Network, bool Platform, bool PublicStatistics, bool CaseStudy)
{
    /// <summary>When a report says nothing: shared with the network's analysts and counted, anonymised, in public statistics.</summary>
    public static readonly Consent Default = new(Network: true, Platform: false, PublicStatistics: true, CaseStudy: false);
}

/// <summary>
/// A validated report as submitted, before it is stored. Holds no personal data of the reporter.
/// <see cref="OccurredAt"/> and <see cref="NoticedAt"/> are UTC; the offsets the reporter gave them with are kept in
/// <see cref="OccurredAtOffsetMinutes"/> and <see cref="NoticedAtOffsetMinutes"/> (see <see cref="ReporterTime"/>).
/// </summary>
public sealed record ReportDraft(
    string? ExternalId,
    Platform Platform,
    Account Account,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    Ground Ground,
    DateOnly OccurredOn,
    DateTimeOffset? OccurredAt,
    string? Language = null,
    long? AudienceSize = null,
    DateOnly? NoticedOn = null,
    DateTimeOffset? NoticedAt = null,
    IReadOnlyList<EvidenceItem>? Evidence = null,
    Consent? Consent = null,
    DsaStatement? Dsa = null,
    int? OccurredAtOffsetMinutes = null,
    int? NoticedAtOffsetMinutes = null);

[JsonConverter(typeof(JsonStringEnumConverter<ReportChannel>))]
public enum ReportChannel
{
    [JsonStringEnumMemberName("webhook")] Webhook,
    [JsonStringEnumMemberName("api")] Api,
    [JsonStringEnumMemberName("import")] Import,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReportStatus>))]
public enum ReportStatus
{
    [JsonStringEnumMemberName("reported")] Reported,
    [JsonStringEnumMemberName("appeal_filed")] AppealFiled,
    [JsonStringEnumMemberName("restored")] Restored,
    [JsonStringEnumMemberName("upheld")] Upheld,
    [JsonStringEnumMemberName("retracted")] Retracted,
}

[JsonConverter(typeof(JsonStringEnumConverter<AppealOutcome>))]
public enum AppealOutcome
{
    [JsonStringEnumMemberName("restored")] Restored,
    [JsonStringEnumMemberName("upheld")] Upheld,
}

/// <summary>One field an amendment changed, as JSON values (null when absent).</summary>
public sealed record FieldChange(string Field, System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);

// Events of a report stream. Past tense, immutable, carrying the facts and when they happened.

public sealed record TakedownReported(
    Guid ReportId,
    Guid OrganisationId,
    ReportChannel Channel,
    Guid? SourceId,
    ReportDraft Report,
    DateTimeOffset ReportedAt,
    SealedContact? ReporterContact = null,
    Guid? ImportId = null,
    string? TraceParent = null);

/// <summary>The reporter's contact data was destroyed: its key is gone, so the sealed copy in the history is unreadable.</summary>
public sealed record ReporterDataErased(Guid ReportId, DateTimeOffset ErasedAt);

public sealed record ReportAmended(Guid ReportId, ReportDraft Report, IReadOnlyList<FieldChange> Changes, DateTimeOffset AmendedAt);

public sealed record EvidenceAttached(Guid ReportId, EvidenceItem Item, DateTimeOffset AttachedAt);

public sealed record AppealFiled(Guid ReportId, DateOnly FiledOn, string? Note, DateTimeOffset RecordedAt);

public sealed record AppealDecided(Guid ReportId, AppealOutcome Outcome, DateOnly DecidedOn, string? Note, DateTimeOffset RecordedAt);

public sealed record ReportVerified(Guid ReportId, string VerifiedBy, string? Note, DateTimeOffset VerifiedAt);

public sealed record ReportRetracted(Guid ReportId, string? Reason, DateTimeOffset RetractedAt);

/// <summary>The state of one report, folded from its events (a Marten snapshot kept in step with every append).</summary>
public sealed record Report(
    Guid Id,
    Guid OrganisationId,
    ReportChannel Channel,
    Guid? SourceId,
    ReportDraft Content,
    ReportStatus Status,
    DateTimeOffset ReportedAt,
    DateTimeOffset UpdatedAt,
    SealedContact? ReporterContact = null,
    DateTimeOffset? ReporterDataErasedAt = null,
    DateTimeOffset? VerifiedAt = null,
    AppealOutcome? AppealOutcome = null,
    DateOnly? AppealFiledOn = null,
    DateOnly? AppealDecidedOn = null)
{
    public static Report Create(TakedownReported e) =>
        new(e.ReportId, e.OrganisationId, e.Channel, e.SourceId, e.Report, ReportStatus.Reported, e.ReportedAt, e.ReportedAt,
            e.ReporterContact);

    public static Report Apply(ReporterDataErased e, Report r) =>
        r with { ReporterContact = null, ReporterDataErasedAt = e.ErasedAt, UpdatedAt = e.ErasedAt };

    public static Report Apply(ReportAmended e, Report r) => r with { Content = e.Report, UpdatedAt = e.AmendedAt };

    public static Report Apply(EvidenceAttached e, Report r) =>
        r with { Content = r.Content with { Evidence = [.. r.Content.Evidence ?? [], e.Item] }, UpdatedAt = e.AttachedAt };

    public static Report Apply(AppealFiled e, Report r) =>
        r with { Status = ReportStatus.AppealFiled, AppealFiledOn = e.FiledOn, UpdatedAt = e.RecordedAt };

    public static Report Apply(AppealDecided e, Report r) => r with
    {
        Status = e.Outcome == Reports.AppealOutcome.Restored ? ReportStatus.Restored : ReportStatus.Upheld,
        AppealOutcome = e.Outcome,
        AppealDecidedOn = e.DecidedOn,
        UpdatedAt = e.RecordedAt,
    };

    public static Report Apply(ReportVerified e, Report r) => r with { VerifiedAt = e.VerifiedAt, UpdatedAt = e.VerifiedAt };

    public static Report Apply(ReportRetracted e, Report r) => r with { Status = ReportStatus.Retracted, UpdatedAt = e.RetractedAt };
}

/// <summary>
/// One per idempotency scope and key (a source's webhook-id, an organisation's Idempotency-Key). Inserted in the
/// same transaction as the report's first event, so a replay finds the report it produced, and only that one.
/// </summary>
public sealed record IdempotencyRecord(string Id, Guid ReportId, string RequestHash, DateTimeOffset CreatedAt)
{
    public static string ForWebhook(Guid sourceId, string webhookId) => $"webhook:{sourceId:N}:{webhookId}";
    public static string ForApi(Guid organisationId, string key) => $"api:{organisationId:N}:{key}";

    /// <summary>The report id a key stands for: the same key always gives the same report.</summary>
    public static Guid ReportIdFor(string scopedKey) => NameBasedGuid.Create(scopedKey);
}
