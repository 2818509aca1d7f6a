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
    public ClaimantKeys? ClaimantKeys
    {
        get => _claimantKeys;
        set => (_claimantKeys, _keys) = (value, null);
    }
    public string? Domain
    {
        get => _domain;
        set => (_domain, _keys) = (value, null);
    }
    /// <summary>The notice, normalised, without the lines that were boilerplate when it arrived.</summary>
    public string Text { get; set; } = "";
    /// <summary>
    /// The MinHash signature of <see cref="Text"/>, base64, as stored; absent for a text too short to compare. Made from
    /// the values only when stored: a profile held in memory keeps the 128 values alone.
    /// </summary>
    public string? Signature
    {
        get => _signature ?? Encode(_signatureValues); // not kept: a profile held in memory keeps the values alone
        set => (_signature, _signatureValues, _keys) = (value, null, null);
    }
    public long Revision { get; set; }
    public Guid? ClusterId { get; set; }
    public bool Retracted { get; set; }

    [JsonIgnore] public string Stratum => Strata.Of(Platform, PolicyKey);

    // Blocking keys and the decoded signature are derived once and kept while what they derive from stays the same.
    private ClaimantKeys? _claimantKeys;
    private string? _domain;
    private string? _signature;
    private uint[]? _signatureValues;
    private IReadOnlyList<long>? _keys;

    /// <summary>The signature's values, decoded once; the stored text is then let go (it is made again if stored again).</summary>
    public uint[]? SignatureValues()
    {
        if (_signatureValues is null && _signature is not null)
            (_signatureValues, _signature) = (System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(Convert.FromBase64String(_signature)).ToArray(), null);
        return _signatureValues;
    }

    public static string? Encode(uint[]? signature) =>
        signature is null ? null : Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(signature.AsSpan()));

    /// <summary>
    /// Blocking keys: a new report is compared only with reports sharing one of these, near it in time. Each is a 64-bit
    /// hash (of a band of the signature, or of a claimant's or domain's key): two different keys that hash alike only
    /// bring a candidate more, which weighing the evidence then rejects.
    /// </summary>
    public IReadOnlyList<long> Keys() => _keys ??= BlockingKeys(SignatureValues(), ClaimantKeys, Domain).ToArray();

    public static IEnumerable<long> BlockingKeys(uint[]? signature, ClaimantKeys? claimant, string? domain)
    {
        if (signature is not null)
            foreach (var band in MinHash.BandKeys(signature)) yield return band;
        if (claimant is { } c)
        {
            yield return Key("c:" + c.Exact);
            if (c.Fuzzy.Length > 0) yield return Key("f:" + c.Fuzzy);
            foreach (var pattern in c.Patterns) yield return Key("p:" + pattern);
        }
        if (domain is not null) yield return Key("d:" + domain);
    }

    private static long Key(string key) => (long)NoticeText.Hash(key);

    /// <summary>The domain a copyright claimant names, reduced to its last two labels ("www.x.example" is "x.example").</summary>
    public static string? DomainOf(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return null;
        var labels = host.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        return labels.Length <= 2 ? string.Join('.', labels) : string.Join('.', labels[^2..]);
    }

    /// <summary>A report's profile: its prepared notice without the lines that are boilerplate now.</summary>
    public static NoticeProfile Create(PreparedNotice prepared, Func<ulong, bool> isBoilerplate)
    {
        var r = prepared.Report;
        var kept = prepared.Lines.Where(l => !isBoilerplate(l.Hash)).ToList();
        bool whole = kept.Count == prepared.Lines.Count;
        string text = whole ? prepared.Text : string.Join(' ', kept.Select(l => l.Line));
        var profile = new NoticeProfile
        {
            Id = r.ReportId,
            OrganisationId = r.OrganisationId,
            IncidentId = r.IncidentId,
            ExternalId = r.ExternalId,
            Country = r.Country,
            Platform = r.Platform,
            SubjectType = r.SubjectType,
            Category = r.Category,
            OccurredAt = r.Time,
            Policy = r.Notice.Policy,
            PolicyKey = prepared.PolicyKey,
            Claimant = r.Notice.Claimant,
            ClaimantKeys = prepared.ClaimantKeys,
            Domain = prepared.Domain,
            Text = text,
            Revision = r.Revision,
        };
        profile._signatureValues = whole ? prepared.SignatureValues : NoticeText.Signature(text);
        if (whole) profile._keys = prepared.BlockingKeys;
        return profile;
    }
}

/// <summary>
/// A report's notice worked out as far as it can be before knowing which of its lines are boilerplate: normalised lines,
/// the whole text's MinHash signature and blocking keys, claimant keys, domain and policy, and the names of the counts it
/// reads and adds to. Depends on nothing else, so a page of reports can be prepared in parallel ahead of the detector,
/// which then only drops boilerplate lines (rare), looks counts up and compares.
/// </summary>
public sealed record PreparedNotice(
    NoticeReport Report, IReadOnlyList<(string Line, ulong Hash)> Lines, string Text,
    string? PolicyKey, ClaimantKeys? ClaimantKeys, string? Domain)
{
    /// <summary>The count of notices seen on the notice's day (yyyy-MM-dd, UTC), whose first notice adds a day seen.</summary>
    public long SeenDayKey { get; private init; }
    /// <summary>Per distinct line, the keys of its counts: notices with it, days with it, and with it on the notice's day.</summary>
    public IReadOnlyList<LineCountKeys> LineCounts { get; private init; } = [];
    /// <summary>Every count that tells which of the notice's lines are boilerplate.</summary>
    public IReadOnlyList<long> LineCountKeys { get; private init; } = [];
    /// <summary>The counts the report adds one to (<see cref="Background.CountedKeys"/>).</summary>
    public IReadOnlyList<long> CountedKeys { get; private init; } = [];
    /// <summary>The whole text's signature, decoded, and the report's blocking keys while nothing of it is boilerplate.</summary>
    public uint[]? SignatureValues { get; private init; }
    public IReadOnlyList<long> BlockingKeys { get; private init; } = [];

    public static PreparedNotice Of(NoticeReport r)
    {
        var lines = NoticeText.Lines(r.Notice.Text);
        string text = string.Join(' ', lines.Select(l => l.Line));
        var signature = NoticeText.Signature(text);
        string? policyKey = r.Notice.Policy is null ? null : NoticeText.Normalise(r.Notice.Policy);
        var claimant = ClaimantKeys.Of(r.Notice.Claimant);
        string? domain = NoticeProfile.DomainOf(r.Notice.ClaimedOriginalDomain);
        var day = DateOnly.FromDateTime((r.OccurredAt ?? r.OccurredOn.ToDateTime(TimeOnly.MinValue)).UtcDateTime);
        var lineCounts = lines.DistinctBy(l => l.Hash).Select(l => new LineCountKeys(l.Hash,
            CountKey.Of($"line:{l.Hash:x16}"), CountKey.Of($"linedays:{l.Hash:x16}"), CountKey.Of($"lineday:{l.Hash:x16}:{day:yyyy-MM-dd}"))).ToArray();
        long seenDay = CountKey.Of($"seenday:{day:yyyy-MM-dd}");
        return new PreparedNotice(r, lines, text, policyKey, claimant, domain)
        {
            SeenDayKey = seenDay,
            LineCounts = lineCounts,
            LineCountKeys = lineCounts.SelectMany(l => new[] { l.Notices, l.Days, l.OnDay }).Append(Background.Notices).Append(Background.Days).Append(seenDay).ToArray(),
            CountedKeys = Background.CountedKeys(r.Platform, policyKey, claimant, domain).Distinct().ToArray(),
            SignatureValues = signature,
            BlockingKeys = NoticeProfile.BlockingKeys(signature, claimant, domain).ToArray(),
        };
    }
}

/// <summary>The keys of a line's counts (<see cref="CountKey"/>): notices with it, days with it, and with it on one day.</summary>
public sealed record LineCountKeys(ulong Hash, long Notices, long Days, long OnDay);

/// <summary>Strata for background rates and time shuffles: a platform and the policy cited there.</summary>
public static class Strata
{
    public const string All = "*";

    public static string Of(Platform platform, string? policyKey) => $"{WireNames<Platform>.Of(platform)}|{policyKey ?? "-"}";

    /// <summary>The report's stratum, then its platform's, then all notices.</summary>
    public static IEnumerable<string> Widening(NoticeProfile p) => [p.Stratum, $"{WireNames<Platform>.Of(p.Platform)}|*", All];
}

/// <summary>
/// Per-day counts that let a cluster be compared with its family's own history (<see cref="ClusterSignificance.Rise"/>):
/// the notices on a platform on a day, and per family key the notices on the platform on a day that carry it. A notice's
/// family keys are its claimant (as written) and <see cref="TextKeys"/> keys of its text (boilerplate dropped), each two
/// LSH bands of its signature together (8 rows: texts about 0.9 alike share one about half the time, texts that only
/// share a few stock sentences almost never): a rights holder's daily notice shares its name, an agency's its wording.
/// </summary>
public static class Families
{
    public const int TextKeys = 4;

    public static DateOnly DayOf(NoticeProfile p) => DateOnly.FromDateTime(p.OccurredAt.UtcDateTime);

    public static long NoticesOn(Platform platform, DateOnly day) => CountKey.Of($"notices:{WireNames<Platform>.Of(platform)}:{day:yyyy-MM-dd}");

    public static long On(Platform platform, long family, DateOnly day) => CountKey.Of($"family:{WireNames<Platform>.Of(platform)}:{family:x16}|{day:yyyy-MM-dd}");

    public static IEnumerable<long> Of(NoticeProfile p)
    {
        if (p.ClaimantKeys is { } c) yield return CountKey.Of($"claimant:{c.Exact}");
        if (p.SignatureValues() is not { } signature) yield break;
        using var bands = MinHash.BandKeys(signature).GetEnumerator();
        for (int i = 0; i < TextKeys && bands.MoveNext(); i++)
        {
            long first = bands.Current;
            if (!bands.MoveNext()) yield break;
            yield return CountKey.Of($"text:{first:x16}{bands.Current:x16}");
        }
    }
}
