using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Statistics;

/// <summary>
/// The open-data dump of a release: a zip of CSV files (the counts of every public table, per grain), a README with the
/// licence (CC BY 4.0) and the method, a data dictionary, and the release's changes. It is made from the release's own
/// cells, so it holds the same numbers as the aggregation API for that release, and byte for byte the same every time
/// (entries in a fixed order, with the release's time), so its checksum is the release's for good.
/// </summary>
public static class OpenData
{
    public const string Licence = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)";

    private static readonly string[] Header = ["period", "table", .. PublicLattice.Names, "count", "suppressed"];

    public static void MapOpenData(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/public/open-data/latest.zip", async (IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
                await LatestAsync(session, options.Value, ct) is { } dump
                    ? Results.File(dump.Zip, "application/zip", $"takedowns-release-{dump.Release}.zip")
                    : NoRelease())
            .AllowAnonymous().WithTags("Public").WithName("GetOpenData")
            .WithSummary("The latest release as open data: a zip of CSV files with a README and a data dictionary (CC BY 4.0)")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/zip").ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/public/open-data/latest.zip.sha256", async (IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
                await LatestAsync(session, options.Value, ct) is { } dump
                    ? Results.Text($"{Convert.ToHexStringLower(SHA256.HashData(dump.Zip))}  takedowns-release-{dump.Release}.zip\n", "text/plain; charset=utf-8")
                    : NoRelease())
            .AllowAnonymous().WithTags("Public").WithName("GetOpenDataChecksum")
            .WithSummary("The SHA-256 of latest.zip, as sha256sum writes it")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult NoRelease() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No release yet",
        detail: "No release of the public numbers has been published yet.");

    private static async Task<(int Release, byte[] Zip)?> LatestAsync(IQuerySession session, PublishingOptions options, CancellationToken ct)
    {
        var release = await session.Query<PublicRelease>().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        if (release is null) return null;
        var blocks = await session.Query<ReleaseBlock>().Where(b => b.Release == release.Id).ToListAsync(ct);
        return (release.Id, Zip(release, blocks, options.SuppressionThreshold));
    }

    /// <summary>The name of a table in the files: its variables joined by '+', or "total".</summary>
    public static string TableName(int table) =>
        table == 0 ? "total" : string.Join('+', Enumerable.Range(0, PublicLattice.Variables).Where(v => (table & (1 << v)) != 0).Select(v => PublicLattice.Names[v]));

    public static byte[] Zip(PublicRelease release, IReadOnlyList<ReleaseBlock> blocks, int k)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string text)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = release.PublishedAt;
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
            Add("README.md", Readme(release, k));
            Add("data-dictionary.csv", Dictionary());
            foreach (var grain in Releases.Grains)
                Add($"counts-{grain.ToString().ToLowerInvariant()}.csv", Counts(blocks.Where(b => b.Grain == grain)));
            Add("changes.csv", Changes(release));
        }
        return buffer.ToArray();
    }

    private static string Counts(IEnumerable<ReleaseBlock> blocks)
    {
        var csv = new StringBuilder(string.Join(',', Header)).Append("\r\n");
        foreach (var b in blocks.OrderBy(b => b.Period))
            foreach (var c in b.Cells.OrderBy(c => c.Table).ThenBy(c => string.Join('|', c.Key.Select(v => v ?? "")), StringComparer.Ordinal))
            {
                // Every value is a code (date, country, taxonomy), so none needs quoting.
                csv.Append(b.Period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',').Append(TableName(c.Table));
                foreach (string? value in c.Key) csv.Append(',').Append(value);
                csv.Append(',').Append(c.Count?.ToString(CultureInfo.InvariantCulture)).Append(',').Append(c.Count is null ? "true" : "false").Append("\r\n");
            }
        return csv.ToString();
    }

    private static string Changes(PublicRelease release)
    {
        var csv = new StringBuilder("period,before,after\r\n");
        foreach (var m in release.Changes.Months)
            csv.Append(CultureInfo.InvariantCulture, $"{m.Period},{m.Before},{m.After}\r\n");
        return csv.ToString();
    }

    private static string Dictionary() => string.Join("\r\n",
    [
        "file,column,meaning",
        "counts-*.csv,period,\"The first day of the period (a day; a week, which starts on Monday; a month)\"",
        "counts-*.csv,table,\"The variables the row is counted by, joined by '+'; 'total' for the period's total. A variable not in the table is empty in the row\"",
        "counts-*.csv,country,ISO 3166-1 alpha-2 code of the country the takedown was reported from",
        "counts-*.csv,platform,\"Platform: youtube, facebook, instagram, telegram, x, tiktok, vk, ok, other\"",
        "counts-*.csv,category,\"Ground the platform gave, as a category (for example intellectual_property, community_standards, spam)\"",
        "counts-*.csv,subjectType,\"Who was taken down (for example independent_media, journalist, blogger); unknown for incidents counted before it was kept\"",
        "counts-*.csv,action,\"What the platform did (for example account_suspended, content_removed); unknown for incidents counted before it was kept\"",
        "counts-*.csv,count,\"Incidents (one takedown of one account or post, however many organisations reported it), by the day it occurred; empty when suppressed\"",
        "counts-*.csv,suppressed,\"true when the count is withheld: fewer than k incidents, or a cell it could be worked out from\"",
        "changes.csv,period,The month whose numbers changed since the release before (late reports or retractions)",
        "changes.csv,before,\"The month's total in the release before; empty when it was suppressed or absent\"",
        "changes.csv,after,\"The month's total in this release; empty when suppressed or absent\"",
        "",
    ]);

    private static string Readme(PublicRelease release, int k) => $"""
        # Takedowns: public numbers, release {release.Id}

        Published {release.PublishedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. SHA-256 of the release (over its cells, one line each):
        {release.Sha256}.

        Social-media takedowns (account suspensions and content removals) of independent media, journalists, bloggers and
        activists, reported by human-rights organisations, counted as incidents by the day they occurred. Only incidents
        whose every report allows public statistics are counted. Nothing here names a person, an account, an organisation
        or a report.

        ## Files

        - `counts-day.csv`, `counts-week.csv`, `counts-month.csv`: every public table of every period: the total, by any
          one or two of country, platform, category, subject type and action, and by country, platform and category.
        - `changes.csv`: the months whose numbers changed since the release before.
        - `data-dictionary.csv`: what each column means.

        The numbers are those of `GET /api/public/aggregation?release={release.Id}`.

        ## Suppression

        A cell of fewer than {k} incidents is suppressed, and so is any cell it could otherwise be worked out from, using the
        period's other tables: an attacker solving every published count of a period by linear programming cannot bound a
        suppressed cell to an interval narrower than {k}.

        ## Licence

        {Licence}. Cite as: Takedowns, public numbers, release {release.Id}.

        """;
}
