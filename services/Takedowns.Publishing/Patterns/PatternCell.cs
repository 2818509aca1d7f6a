using Marten.Events.Projections;
using Takedowns.Contracts;

namespace Takedowns.Publishing.Patterns;

/// <summary>
/// The finest public cell: incidents by occurred day, country, platform, ground category, subject type and action. Never
/// shown as it is: the public tables are sums of these, protected (see <see cref="Statistics.ProtectedTables"/>). Cells
/// counted before subject type and action were kept have neither.
/// </summary>
public sealed class PatternCell
{
    public string Id { get; set; } = "";
    public DateOnly Day { get; set; }
    public string Country { get; set; } = "";
    public Platform Platform { get; set; }
    public GroundCategory Category { get; set; }
    public SubjectType? SubjectType { get; set; }
    public TakedownAction? Action { get; set; }
    public int Count { get; set; }

    public static string KeyOf(DateOnly day, string country, Platform platform, GroundCategory category, SubjectType? subjectType, TakedownAction? action) =>
        $"{day:yyyy-MM-dd}|{country}|{WireNames<Platform>.Of(platform)}|{WireNames<GroundCategory>.Of(category)}" +
        (subjectType is null && action is null ? "" : $"|{(subjectType is { } s ? WireNames<SubjectType>.Of(s) : "")}|{(action is { } a ? WireNames<TakedownAction>.Of(a) : "")}");
}

public sealed partial class PatternCellProjection : MultiStreamProjection<PatternCell, string>
{
    public PatternCellProjection()
    {
        Identity<IncidentCounted>(e => PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType, e.Action));
        Identity<IncidentUncounted>(e => PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType, e.Action));
    }

    public PatternCell Create(IncidentCounted e) => new()
    {
        Id = PatternCell.KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType, e.Action),
        Day = e.OccurredOn,
        Country = e.Country,
        Platform = e.Platform,
        Category = e.Category,
        SubjectType = e.SubjectType,
        Action = e.Action,
        Count = 1,
    };

    public void Apply(IncidentCounted _, PatternCell cell) => cell.Count++;

    public void Apply(IncidentUncounted _, PatternCell cell) => cell.Count--;
}
