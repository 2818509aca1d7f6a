using System.Globalization;

namespace Takedowns.Intake.Reports;

/// <summary>
/// A time as Intake stores it: the instant in UTC, and the offset from UTC the reporter gave it with, in minutes. Events,
/// snapshots and messages carry only UTC times, because PostgreSQL's <c>timestamp with time zone</c> takes nothing
/// else and a consumer that meets another offset fails on every retry; the offset is kept so that the reporter reads
/// back the time as they wrote it.
/// </summary>
public sealed record ReporterTime(DateTimeOffset Utc, int OffsetMinutes)
{
    public static ReporterTime Of(DateTimeOffset given) => new(given.ToUniversalTime(), (int)given.Offset.TotalMinutes);

    /// <summary>
    /// The time in the reporter's own offset (ISO 8601, "O"). A time stored before times were normalised carries the
    /// reporter's offset itself and no minutes beside it.
    /// </summary>
    public static string Local(DateTimeOffset at, int? offsetMinutes) =>
        at.ToOffset(offsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : at.Offset).ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The time in UTC (ISO 8601, "O", ending in Z).</summary>
    public static string InUtc(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
