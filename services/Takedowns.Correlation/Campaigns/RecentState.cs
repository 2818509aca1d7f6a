using Marten;
using Marten.Services;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// What campaign detection stored, partly kept in memory between pages so a page asks PostgreSQL only for what is not
/// held: every stored blocking key of the days (UTC) recent pages needed, loaded a day at a time (a page's candidates
/// are looked up here; the table keeps a report's keys in one row, and is read by day), and the profiles pages wrote or
/// read last (most candidates are a page's neighbours, and an archive imported in several files comes back to the same
/// weeks from each file in turn, asking for the same candidates). Several organisations importing their archives at once are at
/// different places in time, so the days held are those pages asked for, not one span: the least recently needed are
/// let go when the keys held pass a limit. It is a copy of what PostgreSQL holds, never the only one.
/// <para>
/// The copy is trusted only while it is known to match the tables: it takes in a page's changes once the page is
/// committed (<see cref="IChangeListener.AfterCommitAsync"/>), and it is used for a page only if the page starts where the
/// last committed one ended. Anything else (a service that has just started, a page that failed or is processed again,
/// another instance that processed pages meanwhile, a rewound subscription) empties it, and it is loaded again from
/// the tables. A page's own work may change the profiles it was given; a page that then fails leaves the copy marked as
/// not matching, so the next page starts from the tables.
/// </para>
/// </summary>
public sealed class RecentState(int maxKeys, int maxProfiles, ILogger logger, int mostDaysLoaded = RecentState.MostDaysLoaded, int maxCounts = RecentState.DefaultMaxCounts)
{
    /// <summary>Background counts held by default (a key and its count, about 30 bytes each): a million reports make about four million.</summary>
    public const int DefaultMaxCounts = 8_000_000;

    // What one item held costs, with the collections' growing room: a key's slot in the index, a profile (its notice text,
    // signature and keys), a background count (in one of two generations).
    private const int BytesPerKey = 64, BytesPerProfile = 2_048, BytesPerCount = 40;

    /// <summary>
    /// Limits that keep what is held near <paramref name="megabytes"/>: half for keys, three tenths for profiles, a fifth
    /// for background counts. (A page's own keys and profiles are held while it runs, whatever the limits.)
    /// </summary>
    public static RecentState WithBudget(int megabytes, ILogger logger)
    {
        long bytes = Math.Max(1, megabytes) * 1024L * 1024;
        return new RecentState(
            maxKeys: (int)Math.Min(int.MaxValue, bytes / 2 / BytesPerKey),
            maxProfiles: (int)Math.Min(int.MaxValue, bytes * 3 / 10 / BytesPerProfile),
            logger,
            maxCounts: (int)Math.Min(int.MaxValue, bytes / 5 / BytesPerCount));
    }

    /// <summary>
    /// At most this many days are loaded for a page, those most of its reports need; a report whose window reaches a day
    /// not held is looked up in the table, which reads its days whole (a live page's days are held once its first page
    /// loaded them, so only a page of reports spread over more than a year asks the table).
    /// </summary>
    public const int MostDaysLoaded = 400;

    private KeyIndex _keys = new();
    private long _keyCount;
    private readonly Dictionary<int, (long Keys, long Used)> _days = []; // days held whole: keys on them, the page that last needed them
    private long _pages;
    private long? _ceiling; // the last event of the last committed page, when the copy matches the tables
    private readonly Dictionary<Guid, (NoticeProfile Profile, long Order)> _profiles = [];
    private readonly Queue<(Guid Id, long Order)> _profileOrder = new();
    private readonly List<NoticeProfile> _readByPage = []; // profiles the page read from the tables, held once it commits
    private readonly HashSet<Guid> _usedByPage = [];       // profiles held that the page used, held longer once it commits
    private long _order;
    // Background counts as the table holds them, in two generations: a count used is moved into the newer one, and when
    // that holds half the limit the older one is let go, so the counts held are those used most recently, about the
    // limit at most (a page's own uses can take it a little over until the page commits).
    private Dictionary<long, long> _counts = [], _olderCounts = [];
    private readonly Dictionary<long, long> _countsReadByPage = [];

    /// <summary>How often the copy was found not to match and was loaded again (benchmarks and tests read it).</summary>
    public int Reloads { get; private set; }

    /// <summary>Candidate lookups and profiles answered from memory, and from the tables; how often days were loaded.</summary>
    public (long Memory, long Stored) Probes => (_probesHeld, _probesStored);
    public (long Memory, long Stored) ProfilesRead => (_profilesHeld, _profilesStored);
    public (long Memory, long Stored) CountsRead => (_countsHeld, _countsStored);
    public int CountsHeld => _counts.Count + _olderCounts.Count;
    public long DayLoads { get; private set; }
    private long _probesHeld, _probesStored, _profilesHeld, _profilesStored, _countsHeld, _countsStored;

    /// <summary>The day (UTC) of a time, counted from 1970-01-01, as <see cref="ICampaignBackend.KeysOnDaysAsync"/> counts it.</summary>
    public static int DayOf(long utcTicks) => (int)Math.Floor((utcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerDay);

    /// <summary>The days (as <see cref="DayOf"/> counts them) a report at <paramref name="at"/> looks for candidates on, within <paramref name="window"/> of it.</summary>
    public static IEnumerable<int> DaysAround(DateTimeOffset at, TimeSpan window)
    {
        for (int day = DayOf(at.UtcTicks - window.Ticks), last = DayOf(at.UtcTicks + window.Ticks); day <= last; day++) yield return day;
    }

    /// <summary>
    /// The backend for one page, which begins after the event <paramref name="floor"/>: <paramref name="stored"/> overlaid
    /// with the copy, which is emptied first if it does not match the tables as the page finds them, and given the days
    /// the page's reports (at <paramref name="times"/>) look for candidates on.
    /// </summary>
    public async Task<ICampaignBackend> BeginAsync(long floor, ICampaignBackend stored, IEnumerable<DateTimeOffset> times, CancellationToken ct)
    {
        if (_ceiling != floor)
        {
            if (_ceiling is not null || _days.Count > 0 || _profiles.Count > 0)
                logger.LogInformation("Campaign detection's keys and profiles held in memory are loaded again: the page starts at {Floor}, the copy ends at {Ceiling}",
                    floor, _ceiling?.ToString() ?? "a page not committed");
            Clear();
            Reloads++;
        }
        _ceiling = null; // until this page is committed
        _readByPage.Clear();
        _usedByPage.Clear();
        _countsReadByPage.Clear();
        _pages++;
        var needed = new Dictionary<int, int>(); // per day, the page's reports that look for candidates on it
        foreach (var t in times)
            foreach (int day in DaysAround(t, Linking.LongestWindow))
                needed[day] = needed.GetValueOrDefault(day) + 1;
        foreach (var day in needed.Keys)
            if (_days.TryGetValue(day, out var held)) _days[day] = held with { Used = _pages };
        var missing = needed.Where(n => !_days.ContainsKey(n.Key)).OrderByDescending(n => n.Value).Take(mostDaysLoaded).ToList();
        if (missing.Count > 0)
        {
            foreach (var (day, _) in missing) _days[day] = (0, _pages);
            await foreach (var (key, at, id) in stored.KeysOnDaysAsync(missing.Select(m => m.Key).ToList(), ct)) AddKey(key, at, id);
            DayLoads++;
            Evict();
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

    private void Apply(long ceiling, CampaignChanges changes)
    {
        foreach (var (key, _, id) in changes.Unindexed) _keys.Remove(key, id);
        foreach (var (key, at, id) in changes.Keys)
            if (_days.ContainsKey(DayOf(at.UtcTicks))) AddKey(key, at, id);
        // What the page used of what was held, what it read, then what it wrote: a profile it changed is held as written.
        // (Only those in the older half: the newer half is not let go before they would be again.)
        foreach (var id in _usedByPage)
            if (_profiles.TryGetValue(id, out var used) && used.Order <= _order - maxProfiles / 2) Hold(used.Profile);
        foreach (var p in _readByPage.Concat(changes.Profiles)) Hold(p);
        _readByPage.Clear();
        _usedByPage.Clear();
        // Counts: as the page read them, then what it added (the table now holds both); a count added to but neither
        // read nor held stays unknown here.
        foreach (var (key, value) in _countsReadByPage) HoldCount(key, value);
        _countsReadByPage.Clear();
        foreach (var (key, added) in changes.Counts)
        {
            ref var held = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_counts, key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref held)) held += added;
            else if (_olderCounts.Remove(key, out long older)) HoldCount(key, older + added);
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
        Evict();
        _ceiling = ceiling;
    }

    private void Hold(NoticeProfile p)
    {
        _profiles[p.Id] = (p, ++_order);
        _profileOrder.Enqueue((p.Id, _order));
    }

    private void HoldCount(long key, long value)
    {
        _olderCounts.Remove(key);
        _counts[key] = value;
        if (_counts.Count < maxCounts / 2) return;
        (_olderCounts, _counts) = (_counts, []);
    }

    private bool TryCount(long key, out long value)
    {
        if (_counts.TryGetValue(key, out value)) return true;
        if (!_olderCounts.Remove(key, out value)) return false;
        _counts[key] = value; // used again: into the newer generation
        return true;
    }

    private bool Holds(long from, long to)
    {
        for (int day = DayOf(from), last = DayOf(to); day <= last; day++)
            if (!_days.ContainsKey(day)) return false;
        return true;
    }

    private void AddKey(long key, DateTimeOffset at, Guid id)
    {
        _keys.Add(key, at, id);
        _keyCount++;
        ref var day = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_days, DayOf(at.UtcTicks));
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref day)) day.Keys++;
    }

    /// <summary>
    /// Past the limit, lets go of the days needed longest ago (not this page's) until a quarter of the limit is free. Keys
    /// counted are those added (a revision's removed rows still count until the index is rebuilt here), so it errs early.
    /// </summary>
    private void Evict()
    {
        if (_keyCount <= maxKeys) return;
        long keep = maxKeys * 3L / 4, count = _keyCount;
        int dropped = 0;
        foreach (var (day, held) in _days.Where(d => d.Value.Used < _pages).OrderBy(d => d.Value.Used).ToList())
        {
            if (count <= keep) break;
            _days.Remove(day);
            count -= held.Keys;
            dropped++;
        }
        if (dropped == 0) return; // every day held is this page's: nothing to let go yet
        var fresh = new KeyIndex();
        long kept = 0;
        foreach (var (key, at, id) in _keys.Entries())
            if (_days.ContainsKey(DayOf(at.UtcTicks))) { fresh.Add(key, at, id); kept++; }
        (_keys, _keyCount) = (fresh, kept);
    }

    private void Clear()
    {
        _keys = new KeyIndex();
        (_keyCount, _ceiling) = (0, null);
        _days.Clear();
        _profiles.Clear();
        _profileOrder.Clear();
        _counts.Clear();
        _olderCounts.Clear();
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
                // Held in memory if every day of its window is.
                if (!recent.Holds(at.UtcTicks - window.Ticks, at.UtcTicks + window.Ticks)) { (further ??= []).Add(i); continue; }
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
                if (recent._profiles.TryGetValue(id, out var held)) { profiles.Add(held.Profile); recent._usedByPage.Add(id); }
                else (missing ??= []).Add(id);
            recent._profilesHeld += profiles.Count;
            recent._profilesStored += missing?.Count ?? 0;
            if (missing is null) return profiles;
            var read = await stored.ProfilesAsync(missing, ct);
            profiles.AddRange(read);
            recent._readByPage.AddRange(read);
            return profiles;
        }

        public async Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct)
        {
            var counts = new Dictionary<long, long>(keys.Count);
            List<long>? missing = null;
            foreach (var key in keys)
                if (recent.TryCount(key, out long held)) counts[key] = held;
                else (missing ??= []).Add(key);
            recent._countsHeld += counts.Count;
            recent._countsStored += missing?.Count ?? 0;
            if (missing is null) return counts;
            var read = await stored.CountsAsync(missing, ct);
            foreach (var key in missing)
            {
                long value = read.GetValueOrDefault(key); // a key the table does not hold counts nothing yet
                counts[key] = value;
                recent._countsReadByPage[key] = value;
            }
            return counts;
        }
        public Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => stored.ClustersAsync(ids, ct);
        public Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct) => stored.ClusterOfCampaignAsync(campaignId, ct);
        public Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct) => stored.StratumDaysAsync(stratum, ct);
        public IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(IReadOnlyCollection<int> days, CancellationToken ct) => stored.KeysOnDaysAsync(days, ct);
    }
}
