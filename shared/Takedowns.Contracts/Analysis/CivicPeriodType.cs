using System.Text.Json.Serialization;

namespace Takedowns.Contracts.Analysis;

/// <summary>What kind of civic period: the occasion a wave of takedowns may be timed to.</summary>
public enum CivicPeriodType
{
    [JsonStringEnumMemberName("election")] Election,
    [JsonStringEnumMemberName("referendum")] Referendum,
    [JsonStringEnumMemberName("protest")] Protest,
    [JsonStringEnumMemberName("anniversary")] Anniversary,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>A registered civic period, as detections cite it. <paramref name="End"/> is the last day, inclusive.</summary>
public sealed record CivicPeriodRef(Guid PeriodId, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End);

/// <summary>
/// A slice of the takedown series: a country, optionally narrowed to a platform, a ground category and a subject type.
/// </summary>
public sealed record Slice(string Country, Platform? Platform = null, GroundCategory? Category = null, SubjectType? SubjectType = null)
{
    /// <summary>A stable name, such as <c>KZ/youtube/*/journalist</c>, used in ids and logs.</summary>
    public string Key =>
        $"{Country}/{(Platform is { } p ? WireNames<Platform>.Of(p) : "*")}/{(Category is { } c ? WireNames<GroundCategory>.Of(c) : "*")}/{(SubjectType is { } s ? WireNames<SubjectType>.Of(s) : "*")}";
}
