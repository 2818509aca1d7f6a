using Marten.Events.Projections;
using Takedowns.Contracts;

namespace Takedowns.Correlation.Series;

/// <summary>Incidents that occurred on one day in one slice (country x platform x ground category): the series detection reads.</summary>
public sealed class DailySliceCount
{
    public string Id { get; set; } = "";
    public DateOnly Day { get; set; }
    public string Country { get; set; } = "";
    public Platform Platform { get; set; }
    public GroundCategory Category { get; set; }
    public int Count { get; set; }

    public static string KeyOf(DateOnly day, string country, Platform platform, GroundCategory category) =>
        $"{day:yyyy-MM-dd}|{country}|{WireNames<Platform>.Of(platform)}|{WireNames<GroundCategory>.Of(category)}";
}

/// <summary>Folds observed incidents into daily slice counts, by the day the takedown occurred (late reports update the past).</summary>
public sealed partial class DailySliceCountProjection : MultiStreamProjection<DailySliceCount, string>
{
    public DailySliceCountProjection()
    {
        Identity<IncidentObserved>(e => DailySliceCount.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category));
        Identity<IncidentUnobserved>(e => DailySliceCount.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category));
    }

    public DailySliceCount Create(IncidentObserved e) => new()
    {
        Id = DailySliceCount.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category),
        Day = e.OccurredOn,
        Country = e.Country,
        Platform = e.Platform,
        Category = e.Category,
        Count = 1,
    };

    public void Apply(IncidentObserved _, DailySliceCount count) => count.Count++;

    public void Apply(IncidentUnobserved _, DailySliceCount count) => count.Count--;
}
