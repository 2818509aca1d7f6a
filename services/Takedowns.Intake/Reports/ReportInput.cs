using System.Globalization;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// The body of <c>POST /api/reports</c> and of a webhook, as it arrives. Taxonomy values are strings here so
/// that every bad value is reported by its field name in one answer, instead of the first one failing alone.
/// </summary>
public sealed record ReportInput
{
    /// <summary>The reporting organisation's own id for the case.</summary>
    public string? ExternalId { get; init; }
    /// <summary>youtube, facebook, instagram, telegram, x, tiktok, vk, ok or other.</summary>
    public string? Platform { get; init; }
    public AccountInput? Account { get; init; }
    /// <summary>independent_media, journalist, blogger, cso, human_rights_defender, activist or other.</summary>
    public string? SubjectType { get; init; }
    /// <summary>ISO 3166-1 alpha-2 code of the country the subject works in.</summary>
    public string? Country { get; init; }
    /// <summary>account_suspended, account_terminated, content_removed, content_restricted, visibility_reduced, demonetised, feature_restricted or account_compromised.</summary>
    public string? Action { get; init; }
    public GroundInput? Ground { get; init; }
    /// <summary>When the takedown happened: a date (2026-11-20) or a date-time with offset (2026-11-20T09:30:00Z).</summary>
    public string? OccurredAt { get; init; }
    /// <summary>When the subject noticed it, in the same forms; not before occurredAt.</summary>
    public string? NoticedAt { get; init; }
    /// <summary>The subject's main language, as a BCP 47 tag (ru, kk, uz-Latn).</summary>
    public string? Language { get; init; }
    /// <summary>Followers or subscribers of the account when it was hit.</summary>
    public long? AudienceSize { get; init; }
    public List<EvidenceInput>? Evidence { get; init; }
    /// <summary>Who may see the report beyond its organisation. Omitted: network analysts and anonymised public statistics only.</summary>
    public ConsentInput? Consent { get; init; }
    /// <summary>How to reach the reporter. Personal data: encrypted, shown only to the reporting organisation, erasable.</summary>
    public ReporterContactInput? ReporterContact { get; init; }
    /// <summary>The decision in the EU DSA statement-of-reasons vocabulary, where the platform gave one.</summary>
    public DsaStatement? Dsa { get; init; }
}

public sealed record EvidenceInput
{
    /// <summary>SHA-256 of the file, 64 hex digits.</summary>
    public string? Sha256 { get; init; }
    /// <summary>Media type, such as image/png.</summary>
    public string? MediaType { get; init; }
    public string? Caption { get; init; }
}

public sealed record ConsentInput
{
    public bool? Network { get; init; }
    public bool? Platform { get; init; }
    public bool? PublicStatistics { get; init; }
    public bool? CaseStudy { get; init; }
}

public sealed record ReporterContactInput
{
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Messenger { get; init; }
}

public sealed record AccountInput
{
    public string? Handle { get; init; }
    public string? Url { get; init; }
    public string? PlatformId { get; init; }
}

public sealed record GroundInput
{
    /// <summary>intellectual_property, community_standards, impersonation, spam, legal_request, government_request or unknown.</summary>
    public string? Category { get; init; }
    public string? Policy { get; init; }
    public string? NoticeText { get; init; }
    public string? Claimant { get; init; }
    /// <summary>How many complaints the platform said it received, where known.</summary>
    public int? ComplaintsCount { get; init; }
    /// <summary>Whether the decision looked automated (instant, templated, at night, ...).</summary>
    public bool? LookedAutomated { get; init; }
    /// <summary>For copyright claims: the URL of the work the claimant says was copied.</summary>
    public string? ClaimedOriginalUrl { get; init; }
}

/// <summary>A report that passed validation: what is stored in the open, and the contact data to seal.</summary>
public sealed record ValidatedReport(ReportDraft Draft, ReporterContact? Contact);

public static partial class ReportValidation
{
    private static readonly DateOnly Earliest = new(2000, 1, 1);
    private const int MaxEvidence = 50;

    /// <summary>Fields the server sets; a body that sends one is refused rather than silently ignored.</summary>
    public static readonly IReadOnlySet<string> ServerOwned = new HashSet<string>(StringComparer.Ordinal)
    {
        "reportId", "organisationId", "reportedAt", "updatedAt", "status", "channel", "sourceId", "history", "incidentId",
    };

    /// <summary>Parses and checks a body; either a report, or every problem found, by field.</summary>
    public static ValidatedReport? Validate(ReadOnlySpan<byte> body, DateTimeOffset now, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        if (!JsonBody.TryDeserialize<ReportInput>(body, out var input, out var jsonErrors, ServerOwned))
        {
            foreach (var (field, messages) in jsonErrors)
                foreach (string m in messages) errors.Add(field, m);
            return null;
        }
        return Validate(input!, now, errors);
    }

    public static ValidatedReport? Validate(ReportInput input, DateTimeOffset now, ValidationErrors errors)
    {
        string? externalId = Text(input.ExternalId, "externalId", 200, errors);
        var platform = Enum<Platform>(input.Platform, "platform", errors);
        var subjectType = Enum<SubjectType>(input.SubjectType, "subjectType", errors);
        var action = Enum<TakedownAction>(input.Action, "action", errors);

        string? country = Countries.Normalise(input.Country);
        if (country is null)
            errors.Add("country", input.Country is null ? "Required." : "Must be an ISO 3166-1 alpha-2 code, such as KZ.");

        Account? account = null;
        if (input.Account is null) errors.Add("account", "Required.");
        else
        {
            string? handle = Text(input.Account.Handle, "account.handle", 200, errors, required: true);
            string? url = Text(input.Account.Url, "account.url", 2048, errors);
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                errors.Add("account.url", "Must be an absolute http or https URL.");
            string? platformId = Text(input.Account.PlatformId, "account.platformId", 200, errors);
            if (handle is not null) account = new Account(handle, url, platformId);
        }

        Ground? ground = null;
        if (input.Ground is null) errors.Add("ground", "Required.");
        else
        {
            var category = Enum<GroundCategory>(input.Ground.Category, "ground.category", errors);
            string? policy = Text(input.Ground.Policy, "ground.policy", 500, errors);
            string? notice = Text(input.Ground.NoticeText, "ground.noticeText", 20_000, errors);
            string? claimant = Text(input.Ground.Claimant, "ground.claimant", 500, errors);
            if (input.Ground.ComplaintsCount is < 0) errors.Add("ground.complaintsCount", "Must not be negative.");
            string? original = Text(input.Ground.ClaimedOriginalUrl, "ground.claimedOriginalUrl", 2048, errors);
            if (original is not null && !(Uri.TryCreate(original, UriKind.Absolute, out var o) && o.Scheme is "http" or "https"))
                errors.Add("ground.claimedOriginalUrl", "Must be an absolute http or https URL.");
            if (category is { } c)
                ground = new Ground(c, policy, notice, claimant, input.Ground.ComplaintsCount, input.Ground.LookedAutomated, original);
        }

        var occurred = Moment(input.OccurredAt, "occurredAt", now, errors, required: true);
        var noticed = Moment(input.NoticedAt, "noticedAt", now, errors, required: false);
        DateOnly? occurredOn = occurred?.Day, noticedOn = noticed?.Day;
        if (noticedOn < occurredOn) errors.Add("noticedAt", "Must not be before occurredAt.");

        string? language = Text(input.Language, "language", 35, errors);
        if (language is not null && !LanguageTag().IsMatch(language))
            errors.Add("language", "Must be a BCP 47 language tag, such as ru, kk or uz-Latn.");
        if (input.AudienceSize is < 0) errors.Add("audienceSize", "Must not be negative.");

        var evidence = Evidence(input.Evidence, errors);
        var consent = input.Consent is { } ci
            ? new Consent(ci.Network ?? false, ci.Platform ?? false, ci.PublicStatistics ?? false, ci.CaseStudy ?? false)
            : Consent.Default;
        var contact = Contact(input.ReporterContact, errors);
        var dsa = Dsa.Validate(input.Dsa, errors);

        if (!errors.IsEmpty) return null;
        var draft = new ReportDraft(externalId, platform!.Value, account!, subjectType!.Value, country!, action!.Value, ground!,
            occurredOn!.Value, occurred!.Value.At?.Utc, language, input.AudienceSize, noticedOn, noticed?.At?.Utc, evidence, consent, dsa,
            occurred.Value.At?.OffsetMinutes, noticed?.At?.OffsetMinutes);
        return new ValidatedReport(draft, contact);
    }

    private static IReadOnlyList<EvidenceItem>? Evidence(List<EvidenceInput>? items, ValidationErrors errors)
    {
        if (items is null) return null;
        if (items.Count > MaxEvidence) errors.Add("evidence", $"At most {MaxEvidence} items.");
        var result = new List<EvidenceItem>();
        for (int i = 0; i < Math.Min(items.Count, MaxEvidence); i++)
        {
            if (items[i] is null) errors.Add($"evidence[{i}]", "Must be an object.");
            else if (CheckEvidence(items[i], $"evidence[{i}].", errors) is { } item) result.Add(item);
        }
        return result;
    }

    /// <summary>One evidence item; errors are named with <paramref name="prefix"/> before the field.</summary>
    public static EvidenceItem? CheckEvidence(EvidenceInput item, string prefix, ValidationErrors errors)
    {
        string? sha = item.Sha256?.Trim().ToLowerInvariant();
        bool valid = true;
        if (sha is null || !Sha256Hex().IsMatch(sha)) { errors.Add($"{prefix}sha256", "Must be 64 hexadecimal digits."); valid = false; }
        string? mediaType = item.MediaType?.Trim().ToLowerInvariant();
        if (mediaType is null || !MediaTypePattern().IsMatch(mediaType))
        {
            errors.Add($"{prefix}mediaType", "Must be a media type such as image/png.");
            valid = false;
        }
        string? caption = Text(item.Caption, $"{prefix}caption", 2000, errors);
        return valid && caption is not { Length: > 2000 } ? new EvidenceItem(sha!, mediaType!, caption) : null;
    }

    private static ReporterContact? Contact(ReporterContactInput? input, ValidationErrors errors)
    {
        if (input is null) return null;
        var contact = new ReporterContact(
            Text(input.Name, "reporterContact.name", 200, errors),
            Text(input.Email, "reporterContact.email", 254, errors),
            Text(input.Phone, "reporterContact.phone", 50, errors),
            Text(input.Messenger, "reporterContact.messenger", 200, errors));
        if (contact.Email is { } email && !EmailPattern().IsMatch(email))
            errors.Add("reporterContact.email", "Must be an e-mail address.");
        if (contact.Phone is { } phone && !PhonePattern().IsMatch(phone))
            errors.Add("reporterContact.phone", "Must be a phone number: digits, spaces, and + - ( ) only.");
        return contact.IsEmpty ? null : contact;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex LanguageTag();

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial System.Text.RegularExpressions.Regex Sha256Hex();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")]
    private static partial System.Text.RegularExpressions.Regex MediaTypePattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial System.Text.RegularExpressions.Regex EmailPattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\+?[0-9 ()-]{4,30}$")]
    private static partial System.Text.RegularExpressions.Regex PhonePattern();

    /// <summary>
    /// A date or a date-time with offset, not in the future (a day's grace for time zones) and not before 2000. A time is
    /// kept as UTC, the one form PostgreSQL and every consumer take, with the reporter's offset beside it; its day is the
    /// UTC day. A date alone stays a day: there is no time to convert.
    /// </summary>
    private static (DateOnly Day, ReporterTime? At)? Moment(string? value, string field, DateTimeOffset now, ValidationErrors errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add(field, "Required.");
            return null;
        }
        DateOnly day;
        ReporterTime? at = null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            day = d;
        else if (value.Length > 10 && value[10] == 'T' && HasOffset(value)
                 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            at = ReporterTime.Of(t);
            day = DateOnly.FromDateTime(at.Utc.UtcDateTime);
        }
        else
        {
            errors.Add(field, "Must be a date (2026-11-20) or a date-time with an offset (2026-11-20T09:30:00Z).");
            return null;
        }
        if (day > DateOnly.FromDateTime(now.UtcDateTime).AddDays(1) || at?.Utc > now.AddDays(1))
            errors.Add(field, "Must not be in the future.");
        else if (day < Earliest)
            errors.Add(field, "Must not be before 2000-01-01.");
        return (day, at);
    }

    private static bool HasOffset(string value) =>
        value.EndsWith('Z') || value.EndsWith('z') || value.LastIndexOfAny(['+', '-']) > 10;

    private static TEnum? Enum<TEnum>(string? value, string field, ValidationErrors errors) where TEnum : struct, Enum
    {
        if (WireNames<TEnum>.TryParse(value, out var parsed)) return parsed;
        errors.Add(field, value is null ? "Required." : $"Must be one of: {string.Join(", ", WireNames<TEnum>.All)}.");
        return null;
    }

    private static string? Text(string? value, string field, int maxLength, ValidationErrors errors, bool required = false)
    {
        string? trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (trimmed is null)
        {
            if (required) errors.Add(field, "Required.");
            return null;
        }
        if (trimmed.Length > maxLength) errors.Add(field, $"Must be at most {maxLength} characters.");
        if (NoNulText.Holds(trimmed)) errors.Add(field, NoNulText.Message);
        return trimmed;
    }
}
