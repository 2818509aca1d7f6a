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
        var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
        var action = QueryFilters.Enum<TakedownAction>(q["action"], "action", errors);
        var category = QueryFilters.Enum<GroundCategory>(q["category"], "category", errors);
        ReportStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } st)
        {
            if (Enum.GetValues<ReportStatus>().FirstOrDefault(v => Wire(v) == st) is var s && Wire(s) == st) status = s;
            else errors.Add("status", $"Must be one of: {string.Join(", ", Enum.GetValues<ReportStatus>().Select(Wire))}.");
        }
        string? country = QueryFilters.Country(q["country"], errors);
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        var (after, limit) = PageCursor.Read(q, errors, PageCursor.Ticks, DefaultLimit, MaxLimit);
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
        {
            var at = new DateTimeOffset(cur.Key, TimeSpan.Zero);
            query = query.Where(r => r.ReportedAt < at || (r.ReportedAt == at && r.Id.CompareTo(cur.Id) < 0));
        }

        var page = await query.OrderByDescending(r => r.ReportedAt).ThenByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var items = page.Take(limit).Select(r => new ReportSummary(
            r.Id, r.Content.ExternalId, r.Content.Platform, r.Content.Country, r.Content.Action, r.Content.Ground.Category,
            r.Content.OccurredOn.ToString("yyyy-MM-dd"), r.Status, r.VerifiedAt is not null, r.ReportedAt)).ToList();
        string? next = page.Count > limit ? PageCursor.Encode(page[limit - 1].ReportedAt.UtcTicks, page[limit - 1].Id) : null;
        return Results.Ok(new ReportPage(items, next));
    }

    private static string Wire(ReportStatus s) => System.Text.Json.JsonSerializer.Serialize(s).Trim('"');
}
