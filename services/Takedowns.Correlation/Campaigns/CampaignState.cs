using System.Runtime.InteropServices;

namespace Takedowns.Correlation.Campaigns;

/// <summary>A cluster of linked reports (union-find by size: when clusters meet, the smaller joins the larger).</summary>
public sealed class CandidateCluster
{
    public Guid Id { get; set; }
    public List<Guid> Members { get; set; } = [];
    /// <summary>The campaign raised for this cluster, if any, and whether analysts dismissed it.</summary>
    public Guid? CampaignId { get; set; }
    public bool Dismissed { get; set; }
    /// <summary>Reports an analyst split off: they are not linked into this cluster again.</summary>
    public List<Guid> SplitOff { get; set; } = [];
    /// <summary>Members already named in the campaign's events.</summary>
    public List<Guid> Announced { get; set; } = [];
    /// <summary>
    /// Members a raised campaign gathered (text like several members', too unlike any to link alone): they do not
    /// gather others, so a campaign reaches a day beyond the members that linked, not a day beyond each report gathered.
    /// </summary>
    public List<Guid> Gathered { get; set; } = [];
}

/// <summary>
/// Where campaign detection keeps what it knows between pages; PostgreSQL in the service, memory in tests. The collections
/// a call is given are the caller's, reused once the call has completed: a backend does not keep them.
/// </summary>
public interface ICampaignBackend
{
    /// <summary>Background counts by their keys (<see cref="CountKey"/>); a key never counted is left out.</summary>
    Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct);
    /// <summary>
    /// Per probe (a key and a time), the reports carrying the key nearest to the time within <paramref name="window"/>:
    /// at most <paramref name="perSide"/> before it and as many after; each with the index of its probe.
    /// </summary>
    Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct);
    Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);
    Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);
    /// <summary>The cluster a campaign was raised for (or moved to when clusters met), if any.</summary>
    Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct);
    Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct);
    /// <summary>Every stored blocking key of a report that happened on one of <paramref name="days"/> (UTC, counted from 1970-01-01).</summary>
    IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(IReadOnlyCollection<int> days, CancellationToken ct);
}

/// <summary>A backend with nothing in it: everything lives in the <see cref="CampaignState"/>.</summary>
public sealed class EmptyCampaignBackend : ICampaignBackend
{
    public static readonly EmptyCampaignBackend Instance = new();

    public Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<long, long>>(new Dictionary<long, long>());

    public Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<(int, Guid)>>([]);

    public Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => Task.FromResult<IReadOnlyList<NoticeProfile>>([]);

    public Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) => Task.FromResult<IReadOnlyList<CandidateCluster>>([]);

    public Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct) => Task.FromResult<CandidateCluster?>(null);

    public Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<(DateOnly, long)>>([]);

    public IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(IReadOnlyCollection<int> days, CancellationToken ct) =>
        AsyncEnumerable.Empty<(long, DateTimeOffset, Guid)>();
}

/// <summary>
/// The working state of campaign detection: what the backend holds, overlaid with this unit of work's changes, which
/// are read back at once and written out together (<see cref="Changes"/>).
/// </summary>
public sealed class CampaignState(ICampaignBackend backend)
{
    // Per key, the count as loaded plus what this unit of work added, and what it added (for the backend to write): one
    // entry, so adding one to a count is one lookup. A key added to but never loaded counts as 0 (loading adds it in).
    private struct Counted
    {
        public long Value;
        public long Added;
        public bool Loaded;
    }

    private readonly Dictionary<long, Counted> _counts = [];
    private readonly List<long> _added = [];
    private readonly Dictionary<Guid, NoticeProfile> _profiles = [];
    private readonly Dictionary<Guid, CandidateCluster?> _clusters = [];
    private readonly KeyIndex _newKeys = new();
    private readonly Dictionary<Guid, IReadOnlyList<long>> _indexedKeys = [];
    private readonly Dictionary<string, Dictionary<DateOnly, long>> _strata = [];
    private readonly Dictionary<(string, DateOnly), long> _dayIncrements = [];
    private readonly HashSet<Guid> _dirtyProfiles = [];
    private readonly HashSet<Guid> _dirtyClusters = [];
    private readonly HashSet<Guid> _absent = [];      // asked for, and not stored
    private readonly HashSet<Guid> _unindexed = [];   // not candidates now
    private readonly Dictionary<Guid, (DateTimeOffset At, IReadOnlyList<long> Keys, HashSet<Guid> Ids)> _stored = []; // prefetched candidates
    private readonly List<(long Key, DateTimeOffset At, Guid Id)> _rowsToDelete = [];  // stored keys to drop before the new ones go in
    private readonly HashSet<Guid> _found = [];         // one report's candidates (reused: found for every report)
    private readonly HashSet<long> _missing = [];       // counts to load, and
    private readonly List<(long Key, DateTimeOffset At)> _probes = []; // candidates to look for (both reused)

    public async Task<Background> BackgroundAsync(IEnumerable<long> keys, CancellationToken ct)
    {
        var missing = _missing;
        missing.Clear();
        foreach (var key in keys)
            if (!(_counts.TryGetValue(key, out var known) && known.Loaded)) missing.Add(key);
        if (missing.Count > 0)
        {
            var loaded = await backend.CountsAsync(missing, ct);
            foreach (var key in missing)
            {
                ref var counted = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _);
                (counted.Value, counted.Loaded) = (loaded.GetValueOrDefault(key) + counted.Added, true);
            }
        }
        return new Background(_countOf ??= key => _counts.TryGetValue(key, out var c) && c.Loaded ? c.Value : 0);
    }

    private Func<long, long>? _countOf;

    public void Increment(long key, long by = 1)
    {
        ref var counted = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _);
        if (counted.Added == 0) _added.Add(key);
        counted.Added += by;
        if (counted.Loaded) counted.Value += by;
    }

    /// <summary>
    /// Reports sharing a blocking key with <paramref name="p"/> within the longest link window; per key only the
    /// <paramref name="perSide"/> nearest before and after it, so a key every legitimate notice of a large claimant
    /// carries costs no more than a rare one (a burst still meets its nearest members, and one link joins a cluster).
    /// </summary>
    public async Task<IReadOnlyList<NoticeProfile>> CandidatesAsync(NoticeProfile p, int perSide, CancellationToken ct)
    {
        var keys = p.Keys();
        if (keys.Count == 0) return [];
        var ids = _found;
        ids.Clear();
        if (_stored.TryGetValue(p.Id, out var stored) && stored.At == p.OccurredAt && stored.Keys.SequenceEqual(keys)) ids.UnionWith(stored.Ids);
        else
        {
            _probes.Clear();
            foreach (var key in keys) _probes.Add((key, p.OccurredAt));
            foreach (var (_, id) in await backend.CandidatesAsync(_probes, Linking.LongestWindow, perSide, ct))
                ids.Add(id);
        }
        foreach (var key in keys) _newKeys.Nearest(key, p.OccurredAt, Linking.LongestWindow, perSide, ids);
        ids.ExceptWith(_unindexed);
        ids.Remove(p.Id);
        // Most candidates are known already (this unit of work's reports, or prefetched): only the others are loaded.
        var candidates = new List<NoticeProfile>(ids.Count);
        List<Guid>? missing = null;
        foreach (var id in ids)
        {
            if (_profiles.TryGetValue(id, out var known)) candidates.Add(known);
            else if (!_absent.Contains(id)) (missing ??= []).Add(id);
        }
        if (missing is not null) candidates.AddRange(await ProfilesAsync(missing, ct));
        candidates.RemoveAll(c => c.Retracted);
        return candidates;
    }

    /// <summary>
    /// Loads the stored candidates of a page's reports in one query (<paramref name="drafts"/>: their profiles as they
    /// stand before the page), with those candidates' profiles and clusters; a report whose keys are still the same when
    /// its turn comes takes them from here. Reports of the page itself are found among this unit of work's keys.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<NoticeProfile> drafts, int perSide, CancellationToken ct)
    {
        var probes = drafts.SelectMany(d => d.Keys().Select(k => (Draft: d, Key: k))).ToList();
        var found = await backend.CandidatesAsync(probes.Select(p => (p.Key, p.Draft.OccurredAt)).ToList(), Linking.LongestWindow, perSide, ct);
        foreach (var d in drafts) _stored[d.Id] = (d.OccurredAt, d.Keys(), []);
        foreach (var (probe, id) in found) _stored[probes[probe].Draft.Id].Ids.Add(id);

        var candidates = await ProfilesAsync(found.Select(f => f.Id).ToHashSet(), ct);
        var clusterIds = candidates.Select(c => c.ClusterId).OfType<Guid>().Where(id => !_clusters.ContainsKey(id)).ToHashSet();
        if (clusterIds.Count == 0) return;
        var clusters = (await backend.ClustersAsync(clusterIds, ct)).ToDictionary(c => c.Id);
        foreach (var id in clusterIds) _clusters[id] = clusters.GetValueOrDefault(id);
    }

    public async Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids is ISet<Guid> or IReadOnlySet<Guid> ? ids.ToList() : ids.Distinct().ToList();
        var missing = wanted.Where(id => !_profiles.ContainsKey(id) && !_absent.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in await backend.ProfilesAsync(missing, ct)) _profiles[p.Id] = p;
            _absent.UnionWith(missing.Where(id => !_profiles.ContainsKey(id))); // a new report: not asked for again
        }
        return wanted.Where(_profiles.ContainsKey).Select(id => _profiles[id]).ToList();
    }

    public async Task<NoticeProfile?> ProfileAsync(Guid id, CancellationToken ct)
    {
        if (_profiles.TryGetValue(id, out var known)) return known;
        if (_absent.Contains(id)) return null;
        foreach (var p in await backend.ProfilesAsync([id], ct)) return _profiles[p.Id] = p;
        _absent.Add(id); // a new report: not asked for again
        return null;
    }

    /// <summary>Keeps a profile and indexes its keys (a profile replaced by a revision is unindexed first).</summary>
    public void Save(NoticeProfile p, bool index)
    {
        _profiles[p.Id] = p;
        _dirtyProfiles.Add(p.Id);
        if (!index) return;
        _unindexed.Remove(p.Id);
        var keys = p.Keys();
        foreach (var key in keys) _newKeys.Add(key, p.OccurredAt, p.Id);
        _indexedKeys[p.Id] = keys;
    }

    /// <summary>
    /// Takes a report out of the candidate index (retracted, or about to be indexed again as revised): the rows its
    /// profile as it stood put there, each found by its key and time, and any this unit of work added.
    /// </summary>
    public void Unindex(NoticeProfile stood)
    {
        var id = stood.Id;
        _unindexed.Add(id);
        foreach (var key in stood.Keys()) _rowsToDelete.Add((key, stood.OccurredAt, id));
        if (_indexedKeys.Remove(id, out var keys))
            foreach (var key in keys) _newKeys.Remove(key, id);
    }

    public async Task<CandidateCluster?> ClusterAsync(Guid id, CancellationToken ct)
    {
        if (!_clusters.TryGetValue(id, out var cluster))
            _clusters[id] = cluster = (await backend.ClustersAsync([id], ct)).FirstOrDefault();
        return cluster;
    }

    /// <summary>The cluster that holds a campaign now: one this unit of work changed, else the stored one.</summary>
    public async Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct)
    {
        if (_clusters.Values.FirstOrDefault(c => c?.CampaignId == campaignId) is { } here) return here;
        if (await backend.ClusterOfCampaignAsync(campaignId, ct) is not { } stored) return null;
        // Changed here since (deleted, or given to another campaign): what is here counts.
        if (_clusters.TryGetValue(stored.Id, out var local)) return local?.CampaignId == campaignId ? local : null;
        return _clusters[stored.Id] = stored;
    }

    public void Save(CandidateCluster cluster)
    {
        _clusters[cluster.Id] = cluster;
        _dirtyClusters.Add(cluster.Id);
    }

    public void Delete(Guid clusterId)
    {
        _clusters[clusterId] = null;
        _dirtyClusters.Add(clusterId);
    }

    public void CountDay(string stratum, DateOnly day)
    {
        _dayIncrements[(stratum, day)] = _dayIncrements.GetValueOrDefault((stratum, day)) + 1;
        if (_strata.TryGetValue(stratum, out var days)) days[day] = days.GetValueOrDefault(day) + 1;
    }

    public async Task<IReadOnlyDictionary<DateOnly, long>> StratumDaysAsync(string stratum, CancellationToken ct)
    {
        if (_strata.TryGetValue(stratum, out var days)) return days;
        days = (await backend.StratumDaysAsync(stratum, ct)).ToDictionary(d => d.Day, d => d.Count);
        foreach (var ((s, day), n) in _dayIncrements)
            if (s == stratum) days[day] = days.GetValueOrDefault(day) + n;
        return _strata[stratum] = days;
    }

    /// <summary>What this unit of work changed, for the backend to write.</summary>
    public CampaignChanges Changes() => new(
        _added.Where(key => _counts[key].Added != 0).ToDictionary(key => key, key => _counts[key].Added),
        _dirtyProfiles.Select(id => _profiles[id]).ToList(),
        _newKeys.Entries().ToList(),
        _rowsToDelete,
        _dirtyClusters.Where(id => _clusters[id] is not null).Select(id => _clusters[id]!).ToList(),
        _dirtyClusters.Where(id => _clusters[id] is null).ToList(),
        _dayIncrements);

    /// <summary>After the changes are written: what was written is now the backend's, the cache stays warm.</summary>
    public void Committed()
    {
        foreach (var key in _added) CollectionsMarshal.GetValueRefOrNullRef(_counts, key).Added = 0;
        _added.Clear();
        _newKeys.Clear();
        _indexedKeys.Clear();
        _unindexed.Clear();
        _rowsToDelete.Clear();
        _dirtyProfiles.Clear();
        _dirtyClusters.Clear();
        _dayIncrements.Clear();
    }
}

public sealed record CampaignChanges(
    IReadOnlyDictionary<long, long> Counts,
    IReadOnlyList<NoticeProfile> Profiles,
    IReadOnlyList<(long Key, DateTimeOffset At, Guid Id)> Keys,
    IReadOnlyList<(long Key, DateTimeOffset At, Guid Id)> Unindexed,
    IReadOnlyList<CandidateCluster> Clusters,
    IReadOnlyList<Guid> DeletedClusters,
    IReadOnlyDictionary<(string Stratum, DateOnly Day), long> Days);
