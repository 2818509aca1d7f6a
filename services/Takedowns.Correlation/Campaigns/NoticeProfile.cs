using System.Text.Json.Serialization;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// What campaign detection keeps of one report: its notice reduced to comparable keys (normalised text without
/// boilerplate, MinHash signature, claimant keys, claimed-original domain, policy) and the cluster it belongs to.
/// </summary>
public sealed class NoticeProfile
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? IncidentId { get; set; }
    public string? ExternalId { get; set; }
    public string Country { get; set; } = "";
    public Platform Platform { get; set; }
    public SubjectType SubjectType { get; set; }
    public GroundCategory Category { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The policy as cited, and normalised for comparison.</summary>
    public string? Policy { get; set; }
    public string? PolicyKey { get; set; }
    public string? Claimant { get; set; }
    public ClaimantKeys? ClaimantKeys { get; set; }
    public string? Domain { get; set; }
    /// <summary>The notice, normalised, without the lines that were boilerplate when it arrived.</summary>
    public string Text { get; set; } = "";
    /// <summary>The MinHash signature of <see cref="Text"/>, base64; absent for a text too short to compare.</summary>
    public string? Signature { get; set; }
    public long Revision { get; set; }
    public Guid? ClusterId { get; set; }
    public bool Retracted { get; set; }

    [JsonIgnore] public string Stratum => Strata.Of(Platform, PolicyKey);

    public uint[]? SignatureValues() => Signature is null ? null : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(Convert.FromBase64String(Signature)).ToArray();

    public static string? Encode(uint[]? signature) =>
        signature is null ? null : Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(signature.AsSpan()));

    /// <summary>Blocking keys: a new report is compared only with reports sharing one of these, near it in time.</summary>
    public IEnumerable<string> Keys()
    {
        if (SignatureValues() is { } signature)
            foreach (var band in MinHash.BandKeys(signature)) yield return band;
        if (ClaimantKeys is { } c)
        {
            yield return "c:" + c.Exact;
            if (c.Fuzzy.Length > 0) yield return "f:" + c.Fuzzy;
            if (c.Pattern is not null) yield return "p:" + c.Pattern;
        }
        if (Domain is not null) yield return "d:" + Domain;
    }

    /// <summary>The domain a copyright claimant names, reduced to its last two labels ("www.x.example" is "x.example").</summary>
    public static string? DomainOf(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return null;
        var labels = host.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        return labels.Length <= 2 ? string.Join('.', labels) : string.Join('.', labels[^2..]);
    }

    public static NoticeProfile Create(Guid reportId, Guid organisationId, Guid? incidentId, string country, Platform platform, SubjectType subjectType,
        GroundCategory category, DateOnly occurredOn, DateTimeOffset? occurredAt, string? externalId, ReportNotice notice, long revision,
        Func<ulong, bool> isBoilerplate)
    {
        var lines = NoticeText.Lines(notice.Text).Where(l => !isBoilerplate(l.Hash)).Select(l => l.Line);
        string text = string.Join(' ', lines);
        return new NoticeProfile
        {
            Id = reportId,
            OrganisationId = organisationId,
            IncidentId = incidentId,
            ExternalId = externalId,
            Country = country,
            Platform = platform,
            SubjectType = subjectType,
            Category = category,
            OccurredAt = occurredAt ?? new DateTimeOffset(occurredOn.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero),
            Policy = notice.Policy,
            PolicyKey = notice.Policy is null ? null : NoticeText.Normalise(notice.Policy),
            Claimant = notice.Claimant,
            ClaimantKeys = ClaimantKeys.Of(notice.Claimant),
            Domain = DomainOf(notice.ClaimedOriginalDomain),
            Text = text,
            Signature = Encode(MinHash.Signature(NoticeText.Shingles(text))),
            Revision = revision,
        };
    }
}

/// <summary>Strata for background rates and time shuffles: a platform and the policy cited there.</summary>
public static class Strata
{
    public const string All = "*";

    public static string Of(Platform platform, string? policyKey) => $"{WireNames<Platform>.Of(platform)}|{policyKey ?? "-"}";

    /// <summary>The report's stratum, then its platform's, then all notices.</summary>
    public static IEnumerable<string> Widening(NoticeProfile p) => [p.Stratum, $"{WireNames<Platform>.Of(p.Platform)}|*", All];
}
