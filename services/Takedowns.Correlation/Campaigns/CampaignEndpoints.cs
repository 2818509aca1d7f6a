using Marten;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Calendar;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignSummary(
    Guid CampaignId, string Status, double Score, double PValue, int ReportCount, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    IReadOnlyList<string> Signals, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset RaisedAt)
{
    public static CampaignSummary Of(Campaign c) => new(c.Id, StatusName(c.Status), c.Score, c.PValue, c.ReportCount, c.FirstSeen, c.LastSeen,
        c.Signals, c.Members.Select(m => m.Country).Distinct().Order().ToList(), c.Members.Select(m => m.Platform).Distinct().Order().ToList(), c.RaisedAt);

    public static string StatusName(CampaignStatus s) => s.ToString().ToLowerInvariant();
}

public sealed record CampaignPage(IReadOnlyList<CampaignSummary> Items, string? Next);

public sealed record CampaignReportView(Guid ReportId, string? ExternalId, Guid OrganisationId, DateTimeOffset OccurredAt, Platform Platform, string Country);

public sealed record CampaignDetail(
    Guid CampaignId, string Status, double Score, double PValue, int ReportCount, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    IReadOnlyList<string> Signals, IReadOnlyList<CampaignReportView> Reports, IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<CivicPeriodRef> CivicPeriods, string? DismissReason, Guid? MergedInto, CampaignRemedies Remedies,
    IReadOnlyList<CampaignSignal> SignalEvidence);

/// <summary>
/// The analyst's view of campaigns, and the routes of what they do with them (one file per action, recorded by
/// <see cref="CampaignActions"/>). Every action is an event on the campaign's stream; the detector's clusters follow it
/// as detection meets the event (a dismissed campaign is not raised again for the same reports; a report split off is
/// not linked back; merged campaigns share one cluster).
/// </summary>
public static class CampaignEndpoints
{
    public const string Path = "/api/analysis/campaigns";

    public static void MapCampaigns(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, List)
            .RequireAuthorization(Roles.Analyst).WithName("ListCampaigns").WithTags("Analysis")
            .WithSummary("Suspected, confirmed and dismissed campaigns, newest first")
            .WithDescription("status: suspected, confirmed, dismissed or merged (default: all but merged). from/to: campaigns active on " +
                             "these days. country, platform: campaigns with a report there. limit (1-500, default 50); pass next as cursor.")
            .Produces<CampaignPage>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        app.MapGet(Path + "/{campaignId:guid}", Get)
            .RequireAuthorization(Roles.Analyst).WithName("GetCampaign").WithTags("Analysis")
            .WithSummary("A campaign: its reports, timeline, signals, the civic periods it overlaps and the remedies escalations recorded for its accounts")
            .Produces<CampaignDetail>()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapConfirmCampaign();
        app.MapDismissCampaign();
        app.MapMergeCampaigns();
        app.MapSplitOffReport();
        app.MapAnnotateCampaign();
    }

    private static async Task<IResult> List(HttpRequest request, IQuerySession session, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var q = request.Query;
        CampaignStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            if (Enum.GetValues<CampaignStatus>().FirstOrDefault(v => CampaignSummary.StatusName(v) == s) is var parsed && CampaignSummary.StatusName(parsed) == s) status = parsed;
            else errors.Add("status", $"Must be one of: {string.Join(", ", Enum.GetValues<CampaignStatus>().Select(CampaignSummary.StatusName))}.");
        }
        string? country = QueryFilters.Country(q["country"], errors);
        var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        if (from > to) errors.Add("from", "Must not be after 'to'.");
        var (after, limit) = PageCursor.Read(q, errors, PageCursor.Ticks);
        if (!errors.IsEmpty) return errors.ToProblem();

        var query = session.Query<Campaign>().AsQueryable();
        query = status is { } st ? query.Where(c => c.Status == st) : query.Where(c => c.Status != CampaignStatus.Merged);
        if (country is not null) query = query.Where(c => c.Members.Any(m => m.Country == country));
        if (platform is { } p) query = query.Where(c => c.Members.Any(m => m.Platform == p));
        if (from is { } f)
        {
            var start = new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(c => c.LastSeen >= start);
        }
        if (to is { } t)
        {
            var end = new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(c => c.FirstSeen < end);
        }
        if (after is { } cur)
        {
            var at = new DateTimeOffset(cur.Key, TimeSpan.Zero);
            query = query.Where(c => c.RaisedAt < at || (c.RaisedAt == at && c.Id.CompareTo(cur.Id) < 0));
        }
        var page = await query.OrderByDescending(c => c.RaisedAt).ThenByDescending(c => c.Id).Take(limit + 1).ToListAsync(ct);
        string? next = page.Count > limit ? PageCursor.Encode(page[limit - 1].RaisedAt.UtcTicks, page[limit - 1].Id) : null;
        return Results.Ok(new CampaignPage(page.Take(limit).Select(CampaignSummary.Of).ToList(), next));
    }

    // The campaign as its events make it now: its document may lag a moment behind an action just recorded.
    private static async Task<IResult> Get(Guid campaignId, IQuerySession session, CancellationToken ct) =>
        await session.Events.AggregateStreamAsync<Campaign>(campaignId, token: ct) is { } c ? Results.Ok(await DetailAsync(session, c, ct)) : CampaignActions.NotFound();

    public static async Task<CampaignDetail> DetailAsync(IQuerySession session, Campaign c, CancellationToken ct)
    {
        var periods = await CivicPeriodsAsync(session, c.Members.Select(m => m.Country), c.FirstSeen, c.LastSeen, ct);
        return new CampaignDetail(c.Id, CampaignSummary.StatusName(c.Status), c.Score, c.PValue, c.ReportCount, c.FirstSeen, c.LastSeen, c.Signals,
            c.Members.OrderBy(m => m.OccurredAt).Select(m => new CampaignReportView(m.ReportId, m.ExternalId, m.OrganisationId, m.OccurredAt, m.Platform, m.Country)).ToList(),
            c.Timeline, periods, c.DismissReason, c.MergedInto,
            CampaignRemedies.Of(await session.LoadManyAsync<RemedyRecord>(ct, c.Members.Select(m => m.ReportId))), c.SignalEvidence ?? []);
    }

    /// <summary>The civic periods in these countries that the days from <paramref name="first"/> to <paramref name="last"/> overlap, earliest first.</summary>
    public static async Task<IReadOnlyList<CivicPeriodRef>> CivicPeriodsAsync(
        IQuerySession session, IEnumerable<string> countries, DateTimeOffset first, DateTimeOffset last, CancellationToken ct)
    {
        var wanted = countries.Distinct().ToList();
        var from = DateOnly.FromDateTime(first.UtcDateTime);
        var to = DateOnly.FromDateTime(last.UtcDateTime);
        var periods = await session.Query<CivicPeriod>().Where(p => p.Start <= to && p.End >= from).ToListAsync(ct);
        return periods.Where(p => wanted.Contains(p.Country)).OrderBy(p => p.Start).ThenBy(p => p.Country, StringComparer.Ordinal).Select(p => p.ToRef()).ToList();
    }
}
