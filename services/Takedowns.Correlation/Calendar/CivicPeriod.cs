using Takedowns.Contracts.Analysis;

namespace Takedowns.Correlation.Calendar;

public sealed record CivicPeriodRegistered(
    Guid PeriodId, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End, DateTimeOffset RegisteredAt);

public sealed record CivicPeriodAmended(
    Guid PeriodId, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End, DateTimeOffset AmendedAt);

/// <summary>
/// A period of civic life in a country (an election, a referendum, a protest, an anniversary) that takedowns may be timed
/// to. Spike baselines leave these days out, so a referendum does not teach the baseline that its own spike is normal.
/// </summary>
public sealed record CivicPeriod(Guid Id, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End, DateTimeOffset UpdatedAt)
{
    public static CivicPeriod Create(CivicPeriodRegistered e) => new(e.PeriodId, e.Country, e.Type, e.Name, e.Start, e.End, e.RegisteredAt);

    public static CivicPeriod Apply(CivicPeriodAmended e, CivicPeriod _) => new(e.PeriodId, e.Country, e.Type, e.Name, e.Start, e.End, e.AmendedAt);

    public bool Overlaps(DateOnly from, DateOnly to) => Start <= to && End >= from;

    public bool Covers(DateOnly day) => Start <= day && day <= End;

    public CivicPeriodRef ToRef() => new(Id, Country, Type, Name, Start, End);
}
