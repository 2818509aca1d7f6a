using Marten.Events.Projections;
using Takedowns.Contracts;

namespace Takedowns.Publishing.Patterns;

/// <summary>
/// Publishing counted a report: only the coarse facts a public pattern may show. The first event of a stream whose
/// id is the report's id, so a redelivery collides and changes nothing.
/// </summary>
public sealed record ReportCounted(Guid ReportId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category);

/// <summary>The finest public cell: reports by occurred day, country, platform and ground category. Never shown unaggregated.</summary>
public sealed class PatternCell
{
    public string Id { get; set; } = "";
    public DateOnly Day { get; set; }
    public string Country { get; set; } = "";
    public Platform Platform { get; set; }
    public GroundCategory Category { get; set; }
    public int Count { get; set; }

    public static string KeyOf(ReportCounted e) =>
        $"{e.OccurredOn:yyyy-MM-dd}|{e.Country}|{WireNames<Platform>.Of(e.Platform)}|{WireNames<GroundCategory>.Of(e.Category)}";
}

public sealed partial class PatternCellProjection : MultiStreamProjection<PatternCell, string>
{
    public PatternCellProjection()
    {
        Identity<ReportCounted>(PatternCell.KeyOf);
    }

    public PatternCell Create(ReportCounted e) => new()
    {
        Id = PatternCell.KeyOf(e),
        Day = e.OccurredOn,
        Country = e.Country,
        Platform = e.Platform,
        Category = e.Category,
        Count = 1,
    };

    public void Apply(ReportCounted _, PatternCell cell) => cell.Count++;
}
