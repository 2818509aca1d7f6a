using System.Globalization;

namespace Takedowns.ServiceDefaults;

public static class QueryDates
{
    /// <summary>The first and last day a query may name: takedowns are taken in from 2000 on, and day arithmetic on them stays safe.</summary>
    public static readonly DateOnly Earliest = new(2000, 1, 1), Latest = new(2100, 12, 31);

    /// <summary>
    /// A <c>yyyy-MM-dd</c> query value from <see cref="Earliest"/> to <see cref="Latest"/>, null when absent; a malformed
    /// or far one (0001-01-01, 9999-12-31) is recorded against its name.
    /// </summary>
    public static DateOnly? Parse(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= Earliest && day <= Latest)
            return day;
        errors.Add(field, $"Must be a date from {Earliest:yyyy-MM-dd} to {Latest:yyyy-MM-dd}, such as 2026-11-20.");
        return null;
    }
}
