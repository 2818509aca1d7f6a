using System.Text;
using Takedowns.Contracts;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Opaque page cursors: the sort key and id of the last item of a page, URL-safe base64. Lists read the next page
/// after that item (keyset paging), so items added meanwhile neither repeat nor go missing.
/// </summary>
public static class PageCursor
{
    public static string Encode(long key, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (long Key, Guid Id)? Decode(string cursor)
    {
        try
        {
            string padded = cursor.Replace('-', '+').Replace('_', '/');
            padded = padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
            string[] parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], out long key) && Guid.TryParseExact(parts[1], "N", out var id) ? (key, id) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Keys that are a time's UTC ticks.</summary>
    public static bool Ticks(long key) => key >= 0 && key <= DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>Keys that are a day's number.</summary>
    public static bool Days(long key) => key >= DateOnly.MinValue.DayNumber && key <= DateOnly.MaxValue.DayNumber;

    /// <summary>
    /// Reads <c>cursor</c> and <c>limit</c> from a query string, recording bad values against their names; a cursor whose
    /// key is not a <paramref name="validKey"/> (one made up, say) is as bad as one that does not decode.
    /// </summary>
    public static ((long Key, Guid Id)? After, int Limit) Read(Microsoft.AspNetCore.Http.IQueryCollection q, ValidationErrors errors,
        Func<long, bool> validKey, int defaultLimit = 50, int maxLimit = 500)
    {
        int limit = defaultLimit;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, out limit) || limit < 1 || limit > maxLimit))
            errors.Add("limit", $"Must be a number from 1 to {maxLimit}.");
        (long, Guid)? after = null;
        if (q["cursor"].ToString() is { Length: > 0 } cursor && ((after = Decode(cursor)) is null || !validKey(after.Value.Item1)))
            errors.Add("cursor", "Not a cursor this API gave out.");
        return (after, limit);
    }
}

public static class QueryFilters
{
    /// <summary>An optional taxonomy value from the query string, by its wire name; a bad one is recorded against the field.</summary>
    public static T? Enum<T>(string? value, string field, ValidationErrors errors) where T : struct, System.Enum
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (WireNames<T>.TryParse(value, out var parsed)) return parsed;
        errors.Add(field, $"Must be one of: {string.Join(", ", WireNames<T>.All)}.");
        return null;
    }

    /// <summary>An optional ISO country code from the query string.</summary>
    public static string? Country(string? value, ValidationErrors errors, string field = "country")
    {
        if (string.IsNullOrEmpty(value)) return null;
        string? country = Countries.Normalise(value);
        if (country is null) errors.Add(field, "Must be an ISO 3166-1 alpha-2 code.");
        return country;
    }
}
