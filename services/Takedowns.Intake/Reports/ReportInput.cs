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
}

public static class ReportValidation
{
    private static readonly DateOnly Earliest = new(2000, 1, 1);

    /// <summary>Parses and checks a body; either a draft, or every problem found, by field.</summary>
    public static ReportDraft? Validate(ReadOnlySpan<byte> body, DateTimeOffset now, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        if (!JsonBody.TryDeserialize<ReportInput>(body, out var input, out var jsonErrors))
        {
            foreach (var (field, messages) in jsonErrors)
                foreach (string m in messages) errors.Add(field, m);
            return null;
        }
        return Validate(input!, now, errors);
    }

    public static ReportDraft? Validate(ReportInput input, DateTimeOffset now, ValidationErrors errors)
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
            if (category is { } c) ground = new Ground(c, policy, notice, claimant);
        }

        var (occurredOn, occurredAt) = Occurred(input.OccurredAt, now, errors);

        if (!errors.IsEmpty) return null;
        return new ReportDraft(externalId, platform!.Value, account!, subjectType!.Value, country!, action!.Value, ground!,
            occurredOn!.Value, occurredAt);
    }

    private static (DateOnly?, DateTimeOffset?) Occurred(string? value, DateTimeOffset now, ValidationErrors errors)
    {
        const string field = "occurredAt";
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "Required.");
            return (null, null);
        }
        DateOnly day;
        DateTimeOffset? at = null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            day = d;
        else if (value.Length > 10 && value[10] == 'T' && HasOffset(value)
                 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            at = t;
            day = DateOnly.FromDateTime(t.UtcDateTime);
        }
        else
        {
            errors.Add(field, "Must be a date (2026-11-20) or a date-time with an offset (2026-11-20T09:30:00Z).");
            return (null, null);
        }
        // A day's grace for time zones ahead of UTC.
        if (day > DateOnly.FromDateTime(now.UtcDateTime).AddDays(1) || at > now.AddDays(1))
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
        return trimmed;
    }
}
