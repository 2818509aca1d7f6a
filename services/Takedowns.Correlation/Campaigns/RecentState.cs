using Marten;
using Marten.Services;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// What campaign detection wrote recently, kept in memory between pages so a page asks PostgreSQL only for what lies
/// further back: every stored blocking key from a recent span of time (a page's candidates are looked up here instead
/// of by an index scan per key), and the profiles of the reports written last (most candidates are a page's neighbours
/// in time). It is a copy of what PostgreSQL holds, never the only one.
/// <para>
/// The copy is trusted only while it is known to match the tables: it takes in a page's changes once the page is
/// committed (<see cref="IChangeListener.AfterCommitAsync"/>), and it is used for a page only if the page starts where the
/// last committed one ended. Anything else (a service that has just started, a page that failed or is processed again,
/// another instance that processed pages meanwhile, a rewound subscription) empties it, and it is loaded again from
/// the tables. A page's own work may change the profiles it was given; a page that then fails leaves the copy marked as
/// not matching, so the next page starts from the tables.
/// </para>
/// </summary>
public sealed class RecentState(TimeSpan span, int maxKeys, int maxProfiles, ILogger logger)
{
    /// <summary>Keys of reports that happened up to this long before the latest report's time are kept.</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(60);
    public const int DefaultMaxKeys = 4_000_000;
    public const int DefaultMaxProfiles = 50_000;

    private KeyIndex _keys = new();
    private long _keyCount;
    private long _from = long.MaxValue;     // UTC ticks: every stored key of a report at or after this time is in _keys
    private long _latest = long.MinValue;   // the latest report time taken in
    private long? _ceiling;                 // the last event of the last committed page, when the copy matches the tables
    private readonly Dictionary<Guid, (NoticeProfile Profile, long Order)> _profiles = [];
    private readonly Queue<(Guid Id, long Order)> _profileOrder = new();
    private long _order;

    /// <summary>How often the copy was found not to match and was loaded again (benchmarks and tests read it).</summary>
    public int Reloads { get; private set; }

    /// <summary>Candidate lookups and profiles answered from memory, and from the tables.</summary>
    public (long Memory, long Stored) Probes => (_probesHeld, _probesStored);
    public (long Memory, long Stored) ProfilesRead => (_profilesHeld, _profilesStored);
    private long _probesHeld, _probesStored, _profilesHeld, _profilesStored;

    /// <summary>
    /// The backend for one page, which begins after the event <paramref name="floor"/>: <paramref name="stored"/> overlaid
    /// with the copy, which is loaded first if it does not match the tables as the page finds them. <paramref name="times"/>
    /// are the times of the page's reports.
    /// </summary>
    public async Task<ICampaignBackend> BeginAsync(long floor, ICampaignBackend stored, IEnumerable<DateTimeOffset> times, CancellationToken ct)
    {
        if (_ceiling != floor)
        {
            if (_ceiling is not null || _from != long.MaxValue || _profiles.Count > 0)
                logger.LogInformation("Campaign detection's recent keys and profiles are loaded again: the page starts at {Floor}, the copy ends at {Ceiling}",
                    floor, _ceiling?.ToString() ?? "a page not committed");
            Clear();
            Reloads++;
        }
        _ceiling = null; // until this page is committed
        if (_from == long.MaxValue && times.Select(t => t.UtcTicks).Where(Plausible).DefaultIfEmpty(long.MinValue).Max() is var latest && latest != long.MinValue)
        {
            var from = new DateTimeOffset(Math.Max(latest - span.Ticks, DateTimeOffset.MinValue.UtcTicks + 1), TimeSpan.Zero);
            await foreach (var (key, at, id) in stored.KeysFromAsync(from, ct)) AddKey(key, at, id);
            (_from, _latest) = (from.UtcTicks, latest);
        }
        return new Overlay(stored, this);
    }

    /// <summary>
    /// A page with none of detection's events (Marten calls no listener after committing one): it changes nothing, so a
    /// copy that matched before it matches after it. Should its commit fail, the page that follows starts where the copy
    /// does not end, and the copy is loaded again.
    /// </summary>
    public void Empty(long floor, long ceiling)
    {
        if (_ceiling == floor) _ceiling = ceiling;
    }

    /// <summary>Takes in a committed page's changes, so the copy matches the tables again (the page ends with the event <paramref name="ceiling"/>).</summary>
    public IChangeListener Committed(long ceiling, CampaignChanges changes) => new CommitListener(this, ceiling, changes);

    public void Apply(long ceiling, CampaignChanges changes)
    {
        foreach (var (key, _, id) in changes.Unindexed) _keys.Remove(key, id);
        foreach (var (key, at, id) in changes.Keys)
            if (at.UtcTicks >= _from) AddKey(key, at, id);
        foreach (var p in changes.Profiles)
        {
            _profiles[p.Id] = (p, ++_order);
            _profileOrder.Enqueue((p.Id, _order));
            if (p.OccurredAt.UtcTicks > _latest && _from != long.MaxValue && Plausible(p.OccurredAt.UtcTicks)) _latest = p.OccurredAt.UtcTicks;
        }
        while (_profiles.Count > maxProfiles && _profileOrder.TryDequeue(out var oldest))
            if (_profiles.TryGetValue(oldest.Id, out var held) && held.Order == oldest.Order) _profiles.Remove(oldest.Id);
        // Keep the queue from growing with profiles written again and again (a cluster's members).
        if (_profileOrder.Count > 2 * maxProfiles + 1024)
        {
            var live = _profileOrder.Where(e => _profiles.TryGetValue(e.Id, out var held) && held.Order == e.Order).ToList();
            _profileOrder.Clear();
            foreach (var e in live) _profileOrder.Enqueue(e);
        }
        Prune();
        _ceiling = ceiling;
    }

    /// <summary>A report time that may move the span: not days ahead of the clock (a mistyped year would empty the copy).</summary>
    private static bool Plausible(long ticks) => ticks <= DateTimeOffset.UtcNow.AddDays(2).UtcTicks;

    private void AddKey(long key, DateTimeOffset at, Guid id)
    {
        _keys.Add(key, at, id);
        _keyCount++;
    }

    /// <summary>Drops keys older than the span before the latest report, and more if there are still too many.</summary>
    private void Prune()
    {
        if (_from == long.MaxValue) return;
        long from = _latest - span.Ticks, quarter = span.Ticks / 4;
        if (from < _from + quarter && _keyCount <= maxKeys) return;
        for (long kept = span.Ticks; ; kept /= 2)
        {
            from = Math.Max(_from, _latest - kept);
            var fresh = new KeyIndex();
            long count = 0;
            foreach (var (key, at, id) in _keys.Entries())
                if (at.UtcTicks >= from) { fresh.Add(key, at, id); count++; }
            (_keys, _keyCount, _from) = (fresh, count, from);
            if (count <= maxKeys || kept < TimeSpan.TicksPerHour) return;
        }
    }

    private void Clear()
    {
        _keys = new KeyIndex();
        (_keyCount, _from, _latest, _ceiling) = (0, long.MaxValue, long.MinValue, null);
        _profiles.Clear();
        _profileOrder.Clear();
    }

    private sealed class CommitListener(RecentState recent, long ceiling, CampaignChanges changes) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            recent.Apply(ceiling, changes);
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }

    /// <summary>The stored tables as the copy shows them: candidates and profiles from memory where it holds them.</summary>
    private sealed class Overlay(ICampaignBackend stored, RecentState recent) : ICampaignBackend
    {
        public async Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(
            IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct)
        {
            var found = new List<(int Probe, Guid Id)>();
            List<int>? further = null;
            var ids = new HashSet<Guid>();
            for (int i = 0; i < probes.Count; i++)
            {
                var (key, at) = probes[i];
                // Held in memory if the whole window before the probe is (everything after it is, up to the latest).
                if (at.UtcTicks - window.Ticks < recent._from) { (further ??= []).Add(i); continue; }
                ids.Clear();
                recent._keys.Nearest(key, at, window, perSide, ids);
                foreach (var id in ids) found.Add((i, id));
            }
            recent._probesHeld += probes.Count - (further?.Count ?? 0);
            recent._probesStored += further?.Count ?? 0;
            if (further is not null)
                foreach (var (probe, id) in await stored.CandidatesAsync(further.Select(i => probes[i]).ToList(), window, perSide, ct))
                    found.Add((further[probe], id));
            return found;
        }

        public async Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
        {
            var profiles = new List<NoticeProfile>(ids.Count);
            List<Guid>? missing = null;
            foreach (var id in ids)
                if (recent._profiles.TryGetValue(id, out var held)) profiles.Add(held.Profile);
                else (missing ??= []).Add(id);
            recent._profilesHeld += profiles.Count;
            recent._profilesStored += missing?.Count ?? 0;
            if (missing is not null) profiles.AddRange(await stored.ProfilesAsync(missing, ct));
            return profiles;
        }

        public Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct) => stored.CountsAsync(keys, ct);
        public Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => stored.ClustersAsync(ids, ct);
        public Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct) => stored.ClusterOfCampaignAsync(campaignId, ct);
        public Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct) => stored.StratumDaysAsync(stratum, ct);
        public IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysFromAsync(DateTimeOffset from, CancellationToken ct) => stored.KeysFromAsync(from, ct);
    }
}
