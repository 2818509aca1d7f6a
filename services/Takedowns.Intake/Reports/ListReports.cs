using System.Security.Claims;
using System.Text;
using Marten;
using Marten.Pagination;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

public sealed record ReportSummary(
    Guid ReportId, string? ExternalId, Platform Platform, string Country, TakedownAction Action, GroundCategory Category,
    string OccurredOn, ReportStatus Status, bool Verified, DateTimeOffset ReportedAt);

public sealed record ReportPage(IReadOnlyList<ReportSummary> Items, string? Next);

/// <summary>The organisation's own reports, newest first, filtered, in pages joined by an opaque cursor.</summary>
public static class ListReportsEndpoint
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    public static void MapListReports(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/reports", Handle)
            .RequireAuthorization(Roles.Reporter)
            .WithName("ListReports")
            .WithTags("Reports")
            .WithSummary("List your organisation's reports")
            .WithDescription("Filters: platform, country, action, category, status, from and to (the day the takedown occurred, " +
                             "inclusive). limit (1-500, default 50); pass the answer's next as cursor for the following page.")
            .Produces<ReportPage>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    private static async Task<IResult> Handle(HttpRequest request, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var q = request.Query;
        var errors = new ValidationErrors();
        var platform = Filter<Platform>(q["platform"], "platform", errors);
        var action = Filter<TakedownAction>(q["action"], "action", errors);
        var category = Filter<GroundCategory>(q["category"], "category", errors);
        ReportStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } st)
        {
            if (Enum.GetValues<ReportStatus>().FirstOrDefault(v => Wire(v) == st) is var s && Wire(s) == st) status = s;
            else errors.Add("status", $"Must be one of: {string.Join(", ", Enum.GetValues<ReportStatus>().Select(Wire))}.");
        }
        string? country = null;
        if (q["country"].ToString() is { Length: > 0 } c && (country = Countries.Normalise(c)) is null)
            errors.Add("country", "Must be an ISO 3166-1 alpha-2 code.");
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        int limit = DefaultLimit;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, out limit) || limit is < 1 or > MaxLimit))
            errors.Add("limit", $"Must be a number from 1 to {MaxLimit}.");
        (DateTimeOffset At, Guid Id)? after = null;
        if (q["cursor"].ToString() is { Length: > 0 } cursor && (after = ParseCursor(cursor)) is null)
            errors.Add("cursor", "Not a cursor this API gave out.");
        if (!errors.IsEmpty) return errors.ToProblem();

        var organisationId = user.OrganisationId();
        var query = session.Query<Report>().Where(r => r.OrganisationId == organisationId);
        if (platform is { } p) query = query.Where(r => r.Content.Platform == p);
        if (action is { } a) query = query.Where(r => r.Content.Action == a);
        if (category is { } g) query = query.Where(r => r.Content.Ground.Category == g);
        if (status is { } s2) query = query.Where(r => r.Status == s2);
        if (country is not null) query = query.Where(r => r.Content.Country == country);
        if (from is { } f) query = query.Where(r => r.Content.OccurredOn >= f);
        if (to is { } t) query = query.Where(r => r.Content.OccurredOn <= t);
        if (after is { } cur)
            query = query.Where(r => r.ReportedAt < cur.At || (r.ReportedAt == cur.At && r.Id.CompareTo(cur.Id) < 0));

        var page = await query.OrderByDescending(r => r.ReportedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var items = page.Take(limit).Select(r => new ReportSummary(
            r.Id, r.Content.ExternalId, r.Content.Platform, r.Content.Country, r.Content.Action, r.Content.Ground.Category,
            r.Content.OccurredOn.ToString("yyyy-MM-dd"), r.Status, r.VerifiedAt is not null, r.ReportedAt)).ToList();
        string? next = page.Count > limit ? Cursor(page[limit - 1]) : null;
        return Results.Ok(new ReportPage(items, next));
    }

    private static string Wire(ReportStatus s) => System.Text.Json.JsonSerializer.Serialize(s).Trim('"');

    private static T? Filter<T>(string? value, string field, ValidationErrors errors) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (WireNames<T>.TryParse(value, out var parsed)) return parsed;
        errors.Add(field, $"Must be one of: {string.Join(", ", WireNames<T>.All)}.");
        return null;
    }

    private static string Cursor(Report r) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{r.ReportedAt.UtcTicks}:{r.Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTimeOffset, Guid)? ParseCursor(string cursor)
    {
        try
        {
            string padded = cursor.Replace('-', '+').Replace('_', '/');
            padded = padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
            string[] parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], out long ticks) && Guid.TryParseExact(parts[1], "N", out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
