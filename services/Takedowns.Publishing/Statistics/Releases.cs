using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Statistics;

/// <summary>
/// A release: the public tables of every period of every grain, protected, frozen under a number, a time and the SHA-256
/// of their canonical text (one line per cell, <see cref="Releases.Canonical"/>), with what changed since the release before.
/// </summary>
public sealed class PublicRelease
{
    public int Id { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public string Sha256 { get; set; } = "";
    public ReleaseChanges Changes { get; set; } = new(0, 0, 0, 0, []);
}

/// <summary>
/// What changed since the previous release: the number of incidents counted in it and before, the periods (of the
/// month grain) whose count changed, and, for each, its published total before and after (null where suppressed).
/// </summary>
public sealed record ReleaseChanges(int Incidents, int IncidentsBefore, int PeriodsChanged, int CellsChanged, IReadOnlyList<PeriodChange> Months);

public sealed record PeriodChange(string Period, int? Before, int? After);

/// <summary>The protected cells of one period of one grain in one release.</summary>
public sealed class ReleaseBlock
{
    public string Id { get; set; } = "";
    public int Release { get; set; }
    public Grain Grain { get; set; }
    public DateOnly Period { get; set; }
    public List<ReleaseCell> Cells { get; set; } = [];

    public static string IdOf(int release, Grain grain, DateOnly period) => $"{release}|{grain}|{period:yyyy-MM-dd}";
}

/// <summary>A cell as released: its table, its key (null where the table sums the variable) and its count (null: suppressed).</summary>
public sealed record ReleaseCell(int Table, IReadOnlyList<string?> Key, int? Count);

public sealed record ReleaseView(int Number, DateTimeOffset PublishedAt, string Sha256, ReleaseChanges Changes)
{
    public static ReleaseView Of(PublicRelease r) => new(r.Id, r.PublishedAt, r.Sha256, r.Changes);
}

public sealed record ReleasesResponse(IReadOnlyList<ReleaseView> Items);

/// <summary>Publishes releases (on request, and on their own every <c>Publishing:ReleaseInterval</c>) and reads them back.</summary>
public sealed class Releases(IDocumentStore store, ProtectedTables tables, IOptions<PublishingOptions> options, TimeProvider clock)
{
    public static readonly Grain[] Grains = [Grain.Day, Grain.Week, Grain.Month];

    /// <summary>Publishes a release of everything counted now; null when another instance published one with this number first.</summary>
    public async Task<PublicRelease?> PublishAsync(CancellationToken ct)
    {
        int k = Math.Max(1, options.Value.SuppressionThreshold);
        await using var session = store.LightweightSession();
        var previous = await session.Query<PublicRelease>().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var cells = await session.Query<PatternCell>().Where(c => c.Count > 0).ToListAsync(ct);
        int number = (previous?.Id ?? 0) + 1;
        var blocks = new List<ReleaseBlock>();
        foreach (var grain in Grains)
            foreach (var period in tables.Build(cells, grain, k, options.Value.ProtectionBudget).GroupBy(c => c.Period))
                blocks.Add(new ReleaseBlock
                {
                    Id = ReleaseBlock.IdOf(number, grain, period.Key), Release = number, Grain = grain, Period = period.Key,
                    Cells = period.Select(c => new ReleaseCell(c.Table, c.Key, c.Count)).ToList(),
                });
        var before = previous is null ? [] : await session.Query<ReleaseBlock>().Where(b => b.Release == previous.Id).ToListAsync(ct);
        var release = new PublicRelease
        {
            Id = number,
            PublishedAt = clock.GetUtcNow(),
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(blocks)))),
            Changes = Changes(before, blocks, cells.Sum(c => c.Count), previous),
        };
        session.Insert(release); // a number another instance took first fails here, and nothing is stored
        session.Insert(blocks.ToArray());
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException)
        {
            return null;
        }
        return release;
    }

    /// <summary>One line per cell, ordered: grain, period, table, key (values or *), count (or "suppressed").</summary>
    public static string Canonical(IEnumerable<ReleaseBlock> blocks)
    {
        var text = new StringBuilder();
        foreach (var b in blocks.OrderBy(b => b.Grain).ThenBy(b => b.Period))
            foreach (var c in b.Cells.OrderBy(c => c.Table).ThenBy(c => string.Join('|', c.Key.Select(v => v ?? "*")), StringComparer.Ordinal))
                text.Append(CultureInfo.InvariantCulture,
                    $"{b.Grain.ToString().ToLowerInvariant()},{b.Period:yyyy-MM-dd},{c.Table},{string.Join('|', c.Key.Select(v => v ?? "*"))},{(c.Count is { } n ? n.ToString(CultureInfo.InvariantCulture) : "suppressed")}\n");
        return text.ToString();
    }

    private static ReleaseChanges Changes(IReadOnlyList<ReleaseBlock> before, IReadOnlyList<ReleaseBlock> after, int incidents, PublicRelease? previous)
    {
        static Dictionary<string, ReleaseCell> Index(IEnumerable<ReleaseBlock> blocks) => blocks
            .SelectMany(b => b.Cells.Select(c => ($"{b.Grain}|{b.Period:yyyy-MM-dd}|{c.Table}|{string.Join('|', c.Key.Select(v => v ?? "*"))}", c)))
            .ToDictionary(p => p.Item1, p => p.c, StringComparer.Ordinal);
        var old = Index(before);
        var now = Index(after);
        int changed = now.Count(p => !old.TryGetValue(p.Key, out var o) || o.Count != p.Value.Count) + old.Keys.Count(key => !now.ContainsKey(key));
        static Dictionary<DateOnly, ReleaseCell> Totals(IEnumerable<ReleaseBlock> blocks) =>
            blocks.Where(b => b.Grain == Grain.Month).ToDictionary(b => b.Period, b => b.Cells.Single(c => c.Table == 0));
        var oldMonths = Totals(before);
        var newMonths = Totals(after);
        // A month whose cells changed at all is listed, with its published totals; a suppressed total stays unsaid.
        var months = newMonths.Keys.Union(oldMonths.Keys)
            .Where(m => Differs(before.FirstOrDefault(b => b.Grain == Grain.Month && b.Period == m), after.FirstOrDefault(b => b.Grain == Grain.Month && b.Period == m)))
            .Order()
            .Select(m => new PeriodChange(m.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), oldMonths.GetValueOrDefault(m)?.Count, newMonths.GetValueOrDefault(m)?.Count))
            .ToList();
        return new ReleaseChanges(incidents, previous is null ? 0 : previous.Changes.Incidents, months.Count, changed, months);
    }

    private static bool Differs(ReleaseBlock? a, ReleaseBlock? b) =>
        a is null || b is null || Canonical([a]) != Canonical([b]);
}

/// <summary>Publishes a release on its own when the last one is older than <c>Publishing:ReleaseInterval</c> (a day).</summary>
public sealed class ReleaseSchedule(Releases releases, IDocumentStore store, IOptions<PublishingOptions> options, TimeProvider clock, ILogger<ReleaseSchedule> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var session = store.QuerySession();
                var last = await session.Query<PublicRelease>().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
                if (last is null || clock.GetUtcNow() - last.PublishedAt >= options.Value.ReleaseInterval)
                {
                    var release = await releases.PublishAsync(ct);
                    if (release is not null) logger.LogInformation("Published release {Release}", release.Id);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("Publishing a scheduled release failed: {Error}; trying again at the next look", e.GetType().Name);
            }
            await Task.Delay(options.Value.ReleaseCheckInterval, ct);
        }
    }
}

public static class ReleaseEndpoints
{
    public static void MapReleases(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/public/releases").WithTags("Public");
        group.MapGet("", async (IQuerySession session, CancellationToken ct) =>
                Results.Ok(new ReleasesResponse((await session.Query<PublicRelease>().OrderByDescending(r => r.Id).Take(1000).ToListAsync(ct))
                    .Select(ReleaseView.Of).ToList())))
            .AllowAnonymous().WithName("GetReleases").WithSummary("Every release of the public numbers, newest first")
            .Produces<ReleasesResponse>();
        group.MapGet("{number:int}", async (int number, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<PublicRelease>(number, ct) is { } r ? Results.Ok(ReleaseView.Of(r))
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such release", detail: $"Release {number} has not been published."))
            .AllowAnonymous().WithName("GetRelease").WithSummary("One release: its number, time, SHA-256 and what changed since the one before")
            .Produces<ReleaseView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("", async (Releases releases, CancellationToken ct) =>
                await releases.PublishAsync(ct) is { } r ? Results.Created($"/api/public/releases/{r.Id}", ReleaseView.Of(r))
                    : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "A release was being published",
                        detail: "Another release took this number a moment ago: read GET /api/public/releases, or ask again."))
            .RequireAuthorization(Roles.Admin).WithName("PublishRelease").WithSummary("Publishes a release of the public numbers now (admin)")
            .Produces<ReleaseView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
    }
}
