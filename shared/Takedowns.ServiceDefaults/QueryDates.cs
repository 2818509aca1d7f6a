using System.Globalization;

namespace Takedowns.ServiceDefaults;

public static class QueryDates
{
    /// <summary>A <c>yyyy-MM-dd</c> query value, null when absent; a malformed one is recorded against its name.</summary>
    public static DateOnly? Parse(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors.Add(field, "Must be a date such as 2026-11-20.");
        return null;
    }
}
