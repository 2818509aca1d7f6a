using Marten.Events.Projections;
using Takedowns.Contracts;

namespace Takedowns.Publishing.Patterns;

/// <summary>The finest public cell: incidents by occurred day, country, platform and ground category. Never shown unaggregated.</summary>
public sealed class PatternCell
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

public sealed partial class PatternCellProjection : MultiStreamProjection<PatternCell, string>
{
    public PatternCellProjection()
    {
        Identity<IncidentCounted>(e => PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category));
        Identity<IncidentUncounted>(e => PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category));
    }

    public PatternCell Create(IncidentCounted e) => new()
    {
        Id = PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category),
        Day = e.OccurredOn,
        Country = e.Country,
        Platform = e.Platform,
        Category = e.Category,
        Count = 1,
    };

    public void Apply(IncidentCounted _, PatternCell cell) => cell.Count++;

    public void Apply(IncidentUncounted _, PatternCell cell) => cell.Count--;
}
