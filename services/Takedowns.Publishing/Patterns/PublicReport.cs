namespace Takedowns.Publishing.Patterns;

// Events of a report's stream in Publishing (its id is the report's id): where the report counts, as of which revision.

/// <summary>The report, as of <paramref name="Revision"/>, counts in this incident (or in none: not consented).</summary>
public sealed record PublicReportPlaced(Guid ReportId, long Revision, Guid? CountedIn);

/// <summary>The report was retracted: it never counts again, whatever arrives after.</summary>
public sealed record PublicReportRetracted(Guid ReportId);

/// <summary>
/// What Publishing knows of one report: the newest revision it applied and the incident it counts in. Messages about a
/// report can arrive twice or out of order; only a newer revision changes anything, and a retraction ends it.
/// </summary>
public sealed record PublicReport(Guid Id, long Revision, Guid? CountedIn, bool Retracted)
{
    public static PublicReport Create(PublicReportPlaced e) => new(e.ReportId, e.Revision, e.CountedIn, false);

    public static PublicReport Create(PublicReportRetracted e) => new(e.ReportId, 0, null, true);

    public static PublicReport Apply(PublicReportPlaced e, PublicReport r) => r with { Revision = e.Revision, CountedIn = e.CountedIn };

    public static PublicReport Apply(PublicReportRetracted _, PublicReport r) => r with { CountedIn = null, Retracted = true };

    /// <summary>Whether a revision of the report is news: not older than what is known, and the report not retracted.</summary>
    public static bool Accepts(PublicReport? known, long revision) => known is null || (!known.Retracted && revision > known.Revision);
}
