using System.Text.Json;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>
/// A backend that keeps what each unit of work wrote, as the PostgreSQL tables do (profiles and clusters stored as JSON
/// and read back as new objects), so detection can be run page by page with a fresh state each page, as the service does.
/// </summary>
public sealed class StoredCampaignBackend : ICampaignBackend
{
    private readonly Dictionary<long, long> _counts = [];
    private readonly List<(long Key, DateTimeOffset At, Guid Id)> _keys = [];
    private readonly Dictionary<Guid, string> _profiles = [];
    private readonly Dictionary<Guid, string> _clusters = [];
    private readonly Dictionary<(string, DateOnly), long> _days = [];

    /// <summary>When a report that carries keys happened, as its keys say.</summary>
    public DateTimeOffset TimeOf(Guid id) => _keys.Last(k => k.Id == id).At;

    public void Apply(CampaignChanges changes)
    {
        var gone = changes.Unindexed.Select(u => (u.Key, u.At.UtcTicks, u.Id)).ToHashSet();
        _keys.RemoveAll(k => gone.Contains((k.Key, k.At.UtcTicks, k.Id)));
        _keys.AddRange(changes.Keys);
        foreach (var (key, n) in changes.Counts) _counts[key] = _counts.GetValueOrDefault(key) + n;
        foreach (var (day, n) in changes.Days) _days[day] = _days.GetValueOrDefault(day) + n;
        foreach (var p in changes.Profiles) _profiles[p.Id] = JsonSerializer.Serialize(p);
        foreach (var c in changes.Clusters) _clusters[c.Id] = JsonSerializer.Serialize(c);
        foreach (var id in changes.DeletedClusters) _clusters.Remove(id);
    }

    public Task<IReadOnlyDictionary<long, long>> CountsAsync(IReadOnlyCollection<long> keys, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<long, long>>(keys.Distinct().Where(_counts.ContainsKey).ToDictionary(k => k, k => _counts[k]));

    public Task<IReadOnlyList<(int Probe, Guid Id)>> CandidatesAsync(IReadOnlyList<(long Key, DateTimeOffset At)> probes, TimeSpan window, int perSide, CancellationToken ct)
    {
        var byKey = _keys.ToLookup(k => k.Key);
        var found = new List<(int, Guid)>();
        for (int i = 0; i < probes.Count; i++)
        {
            var (key, at) = probes[i];
            var rows = byKey[key].ToList();
            found.AddRange(rows.Where(r => r.At < at && r.At >= at - window).OrderByDescending(r => r.At).Take(perSide).Select(r => (i, r.Id)));
            found.AddRange(rows.Where(r => r.At >= at && r.At <= at + window).OrderBy(r => r.At).Take(perSide).Select(r => (i, r.Id)));
        }
        return Task.FromResult<IReadOnlyList<(int, Guid)>>(found);
    }

    public Task<IReadOnlyList<NoticeProfile>> ProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<NoticeProfile>>(ids.Where(_profiles.ContainsKey).Select(id => JsonSerializer.Deserialize<NoticeProfile>(_profiles[id])!).ToList());

    public Task<IReadOnlyList<CandidateCluster>> ClustersAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CandidateCluster>>(ids.Where(_clusters.ContainsKey).Select(id => JsonSerializer.Deserialize<CandidateCluster>(_clusters[id])!).ToList());

    public Task<CandidateCluster?> ClusterOfCampaignAsync(Guid campaignId, CancellationToken ct) =>
        Task.FromResult(_clusters.Values.Select(json => JsonSerializer.Deserialize<CandidateCluster>(json)!).FirstOrDefault(c => c.CampaignId == campaignId));

    public Task<IReadOnlyList<(DateOnly Day, long Count)>> StratumDaysAsync(string stratum, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<(DateOnly, long)>>(_days.Where(d => d.Key.Item1 == stratum).Select(d => (d.Key.Item2, d.Value)).ToList());

    public IAsyncEnumerable<(long Key, DateTimeOffset At, Guid Id)> KeysOnDaysAsync(IReadOnlyCollection<int> days, CancellationToken ct) =>
        _keys.Where(k => days.Contains(RecentState.DayOf(k.At.UtcTicks))).ToList().ToAsyncEnumerable();
}
