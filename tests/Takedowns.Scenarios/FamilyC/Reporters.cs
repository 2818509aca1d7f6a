using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Takedowns.Scenarios.FamilyC;

/// <summary>
/// The organisations that report in family C, each with the countries it covers, its share of the reports there, how
/// late it reports and how it numbers its cases. One keeps its archive and imports it all at once, late.
/// </summary>
internal sealed record Reporter(int Id, string[]? Lands, double Weight, Reporter.Timing Kind, double MedianHours, double Spread)
{
    public enum Timing { Prompt, WeeklyBatch, ArchiveImport }

    /// <summary>Reports of the archive that occurred this many days or more before the end arrive in one import.</summary>
    public const int ArchiveDays = 60;

    /// <summary>How many days before the end the archive is imported.</summary>
    public const int ArchiveImportedDaysBeforeEnd = 12;

    public static readonly Reporter[] All =
    [
        new(0, null, 1.0, Timing.Prompt, 6, 0.8),                                              // a regional hotline
        new(1, ["KZ", "KG"], 1.2, Timing.Prompt, 48, 0.9),                                     // a media-freedom group
        new(2, ["UZ", "TJ", "TM"], 1.2, Timing.WeeklyBatch, 2, 0.5),                           // lawyers who file on Mondays
        new(3, ["TM", "TJ", "AZ", "RU", "KZ"], 0.6, Timing.Prompt, 12 * 24, 1.0),              // an exile media network, weeks late
        new(4, ["KZ", "KG", "UZ"], 0.9, Timing.ArchiveImport, 24, 0.7),                         // keeps an archive, imported late
        new(5, null, 0.5, Timing.Prompt, 2, 0.6),                                              // a trusted-flagger partner
        new(6, ["KZ", "UZ", "KG", "RU", "GE", "AM", "MN", "AZ"], 0.7, Timing.Prompt, 4 * 24, 0.8), // volunteers
        new(7, null, 0.6, Timing.Prompt, 24, 0.8),                                             // a press union
    ];

    public bool Covers(string land) => Lands is null || Lands.Contains(land);

    /// <summary>When this organisation reports an incident (the archive's old ones are stamped when imported, later).</summary>
    public DateTimeOffset ReportedAt(DateTimeOffset occurred, DateOnly end, Random rng)
    {
        var endOfDay = new DateTimeOffset(end.ToDateTime(new TimeOnly(23, 0)), TimeSpan.Zero);
        if (Kind == Timing.ArchiveImport && occurred < endOfDay.AddDays(-ArchiveDays))
            return endOfDay.AddDays(-ArchiveImportedDaysBeforeEnd);
        double hours = Math.Min(MedianHours * Math.Exp(Spread * Normal.Sample(rng, 0, 1)), 120 * 24);
        var at = occurred.AddHours(Math.Max(0.2, hours));
        if (Kind == Timing.WeeklyBatch)
        {
            int toMonday = ((int)DayOfWeek.Monday - (int)at.DayOfWeek + 7) % 7;
            at = new DateTimeOffset(at.Date.AddDays(toMonday == 0 ? 7 : toMonday).AddHours(9), TimeSpan.Zero).AddMinutes(rng.Next(240));
        }
        return at;
    }

    /// <summary>The organisation's own case numbers: each numbers its reports in the order it sends them.</summary>
    public string CaseNumber(int n, SyntheticReport r) => Id switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"HL-{n:D6}"),
        1 => string.Create(CultureInfo.InvariantCulture, $"mfw/{r.ReportedAt:yyyy}/{n:D4}"),
        2 => string.Create(CultureInfo.InvariantCulture, $"case-{n:D5}"),
        3 => string.Create(CultureInfo.InvariantCulture, $"EXM{n:X5}"),
        4 => string.Create(CultureInfo.InvariantCulture, $"arch-{r.OccurredAt:yyyyMMdd}-{n:D4}"),
        5 => string.Create(CultureInfo.InvariantCulture, $"tf:{n}"),
        6 => string.Create(CultureInfo.InvariantCulture, $"vol-{n:D5}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"PU{n:D6}"),
    };
}
