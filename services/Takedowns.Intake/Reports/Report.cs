using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Takedowns.Contracts;

namespace Takedowns.Intake.Reports;

/// <summary>The affected account, as the reporter describes it. Public information about the subject, not the reporter.</summary>
public sealed record Account(string Handle, string? Url, string? PlatformId);

/// <summary>What the platform gave as the reason.</summary>
public sealed record Ground(GroundCategory Category, string? Policy, string? NoticeText, string? Claimant);

/// <summary>A validated report as submitted, before it is stored.</summary>
public sealed record ReportDraft(
    string? ExternalId,
    Platform Platform,
    Account Account,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    Ground Ground,
    DateOnly OccurredOn,
    DateTimeOffset? OccurredAt);

[JsonConverter(typeof(JsonStringEnumConverter<ReportChannel>))]
public enum ReportChannel
{
    [JsonStringEnumMemberName("webhook")] Webhook,
    [JsonStringEnumMemberName("api")] Api,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReportStatus>))]
public enum ReportStatus
{
    [JsonStringEnumMemberName("reported")] Reported,
}

// Events of a report stream. Past tense, immutable, carrying the facts and when they happened.

public sealed record TakedownReported(
    Guid ReportId,
    Guid OrganisationId,
    ReportChannel Channel,
    Guid? SourceId,
    ReportDraft Report,
    DateTimeOffset ReportedAt);

/// <summary>The state of one report, folded from its events (a Marten snapshot kept in step with every append).</summary>
public sealed record Report(
    Guid Id,
    Guid OrganisationId,
    ReportChannel Channel,
    Guid? SourceId,
    ReportDraft Content,
    ReportStatus Status,
    DateTimeOffset ReportedAt,
    DateTimeOffset UpdatedAt)
{
    public static Report Create(TakedownReported e) =>
        new(e.ReportId, e.OrganisationId, e.Channel, e.SourceId, e.Report, ReportStatus.Reported, e.ReportedAt, e.ReportedAt);
}

/// <summary>
/// One per idempotency scope and key (a source's webhook-id, an organisation's Idempotency-Key). Inserted in the
/// same transaction as the report's first event, so a replay finds the report it produced, and only that one.
/// </summary>
public sealed record IdempotencyRecord(string Id, Guid ReportId, string RequestHash, DateTimeOffset CreatedAt)
{
    public static string ForWebhook(Guid sourceId, string webhookId) => $"webhook:{sourceId:N}:{webhookId}";
    public static string ForApi(Guid organisationId, string key) => $"api:{organisationId:N}:{key}";

    /// <summary>A name-based UUID (RFC 9562 version 8, from SHA-256) of the scoped key.</summary>
    public static Guid ReportIdFor(string scopedKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(scopedKey), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
