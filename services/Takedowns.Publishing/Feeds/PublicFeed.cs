using System.Globalization;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Marten;
using Microsoft.Extensions.Options;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Publishing.Campaigns;
using Takedowns.Publishing.Patterns;
using Takedowns.Publishing.Spikes;

namespace Takedowns.Publishing.Feeds;

/// <summary>
/// <c>GET /api/public/feed.atom</c>: an Atom feed (RFC 4287) of the spikes and confirmed campaigns the public may see, in
/// their public form: a spike's country, platform, ground, window, observed and expected counts and civic periods; a
/// campaign's countries, platforms, signals, period and size (in buckets). Never a report, an account or an organisation.
/// </summary>
public static class PublicFeed
{
    public const int MaxEntries = 100;
    public const string ContentType = "application/atom+xml; charset=utf-8";

    public static void MapPublicFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/feed.atom", async (IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
            {
                int k = Math.Max(1, options.Value.SuppressionThreshold);
                var spikes = await session.Query<PublicSpike>().Where(s => !s.Withdrawn && s.Observed >= k)
                    .OrderByDescending(s => s.Start).Take(MaxEntries).ToListAsync(ct);
                var campaigns = await session.Query<PublicCampaign>().Where(c => c.Status == "confirmed" && c.ReportCount >= k)
                    .OrderByDescending(c => c.LastSeen).Take(MaxEntries).ToListAsync(ct);
                var entries = spikes.Select(Entry).Concat(campaigns.Select(c => Entry(c, k)))
                    .OrderByDescending(e => e.LastUpdatedTime).ThenBy(e => e.Id, StringComparer.Ordinal).Take(MaxEntries).ToList();
                return Results.Text(Write(Feed(entries, options.Value.FeedId)), ContentType, Encoding.UTF8);
            })
            .AllowAnonymous()
            .WithName("GetPublicFeed")
            .WithTags("Public")
            .WithSummary("An Atom feed of new spikes and confirmed campaigns")
            .WithDescription("The newest 100 spikes (of at least k incidents, not withdrawn) and campaigns analysts confirmed (of at " +
                             "least k reports), each an entry with its public figures; a spike's entry is updated when it ends.")
            .Produces<string>(StatusCodes.Status200OK, "application/atom+xml");

    private static SyndicationFeed Feed(IReadOnlyList<SyndicationItem> entries, string feedId)
    {
        var feed = new SyndicationFeed(
            "Takedowns: spikes and coordinated complaint campaigns",
            "Where and when more accounts and posts were taken down than usual, and the coordinated complaint campaigns analysts confirmed.",
            null, feedId,
            entries.Count == 0 ? DateTimeOffset.UnixEpoch : entries.Max(e => e.LastUpdatedTime), entries);
        feed.Authors.Add(new SyndicationPerson { Name = "Takedowns" });
        feed.Links.Add(new SyndicationLink(new Uri("/api/public/feed.atom", UriKind.Relative), "self", null, "application/atom+xml", 0));
        feed.Generator = "Takedowns";
        feed.Language = "en";
        return feed;
    }

    private static SyndicationItem Entry(PublicSpike s)
    {
        string where = Describe(s.Slice);
        var summary = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"{s.Observed} takedowns ({where}) from {s.Start:yyyy-MM-dd} to {s.End:yyyy-MM-dd}, against about {s.Expected:0.#} expected."));
        if (s.Ended) summary.Append(" The spike has ended.");
        foreach (var p in s.CivicPeriods)
            summary.Append(CultureInfo.InvariantCulture, $" During {p.Name} ({WireNames<CivicPeriodType>.Of(p.Type)}, {p.Start:yyyy-MM-dd} to {p.End:yyyy-MM-dd}).");
        var item = Item($"Spike in takedowns: {where}, {s.Start:yyyy-MM-dd} to {s.End:yyyy-MM-dd}", summary.ToString(),
            IdOf("spike", s.Id), s.UpdatedAt ?? new DateTimeOffset(s.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        item.Categories.Add(new SyndicationCategory("spike"));
        item.Categories.Add(new SyndicationCategory($"country:{s.Country}"));
        if (s.Slice.Platform is { } platform) item.Categories.Add(new SyndicationCategory($"platform:{WireNames<Platform>.Of(platform)}"));
        if (s.Slice.Category is { } category) item.Categories.Add(new SyndicationCategory($"category:{WireNames<GroundCategory>.Of(category)}"));
        item.Links.Add(new SyndicationLink(new Uri(string.Create(CultureInfo.InvariantCulture,
            $"/api/public/spikes?country={s.Country}&from={s.Start:yyyy-MM-dd}&to={s.End:yyyy-MM-dd}"), UriKind.Relative), "alternate", null, "application/json", 0));
        return item;
    }

    private static SyndicationItem Entry(PublicCampaign c, int k)
    {
        string countries = string.Join(", ", c.Countries), platforms = string.Join(", ", c.Platforms.Select(WireNames<Platform>.Of));
        string size = SizeBucket(c.ReportCount, k);
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"A coordinated complaint campaign confirmed by analysts: {size} takedowns in {countries} on {platforms}, from {c.FirstSeen:yyyy-MM-dd} to {c.LastSeen:yyyy-MM-dd}.") +
            (c.Signals.Count == 0 ? "" : $" What gave it away: {string.Join("; ", c.Signals)}.");
        var item = Item($"Coordinated complaint campaign confirmed: {countries} on {platforms}", summary,
            IdOf("campaign", c.Id), c.ConfirmedAt ?? new DateTimeOffset(c.LastSeen.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        item.Categories.Add(new SyndicationCategory("campaign"));
        foreach (string country in c.Countries) item.Categories.Add(new SyndicationCategory($"country:{country}"));
        foreach (var platform in c.Platforms) item.Categories.Add(new SyndicationCategory($"platform:{WireNames<Platform>.Of(platform)}"));
        item.Links.Add(new SyndicationLink(new Uri("/api/public/campaigns", UriKind.Relative), "alternate", null, "application/json", 0));
        return item;
    }

    private static SyndicationItem Item(string title, string summary, string id, DateTimeOffset updated) => new()
    {
        Title = new TextSyndicationContent(title),
        Summary = new TextSyndicationContent(summary),
        Id = id,
        LastUpdatedTime = updated,
    };

    /// <summary>A campaign's size, in buckets (k-9, 10-24, 25-49, 50-99, 100 or more), so that its growth is not followed report by report.</summary>
    public static string SizeBucket(int reports, int k) => reports switch
    {
        >= 100 => "100 or more",
        >= 50 => "50 to 99",
        >= 25 => "25 to 49",
        >= 10 => "10 to 24",
        _ => $"{k} to 9",
    };

    private static string Describe(Slice slice) =>
        string.Join(", ", new[]
        {
            slice.Country,
            slice.Platform is { } p ? WireNames<Platform>.Of(p) : "all platforms",
            slice.Category is { } c ? WireNames<GroundCategory>.Of(c) : "all grounds",
        });

    /// <summary>An entry's id: a name-based UUID of the spike or campaign, so the feed does not carry the service's own ids.</summary>
    private static string IdOf(string kind, Guid id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"takedowns:{kind}:{id:N}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5-like: name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return $"urn:uuid:{new Guid(hash.AsSpan(0, 16), bigEndian: true)}";
    }

    private static string Write(SyndicationFeed feed)
    {
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(new StringWriter(text, CultureInfo.InvariantCulture), new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
            new Atom10FeedFormatter(feed).WriteTo(writer);
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }
}
