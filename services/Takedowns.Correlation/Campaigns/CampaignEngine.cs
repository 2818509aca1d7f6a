using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignSettings
{
    /// <summary>Fewest reports a cluster needs before it is tested.</summary>
    public int MinMembers { get; init; } = 4;
    /// <summary>The permutation p-value at or under which a cluster is suspected.</summary>
    public double Alpha { get; init; } = 0.001;
    /// <summary>At most this many members (spread over the cluster's span) enter the permutation test: enough to tell, bounded in cost.</summary>
    public int MaxTested { get; init; } = 40;
    /// <summary>
    /// A line in at least this many notices, on at least <see cref="BoilerplateDays"/> days, is boilerplate; while fewer
    /// days have been seen, a line in <see cref="BoilerplatePerDay"/> notices per day seen, on every one of them but the
    /// newest, is too.
    /// </summary>
    public int BoilerplateMin { get; init; } = 20;
    public int BoilerplateDays { get; init; } = 7;
    public int BoilerplatePerDay { get; init; } = 2;
    /// <summary>Per blocking key, a new report is compared with at most this many reports before it and as many after it (the nearest in time).</summary>
    public int CandidatesPerKey { get; init; } = 16;
    /// <summary>Days with notices a stratum needs before its times stand for chance in a cluster's permutation test.</summary>
    public int StratumDays { get; init; } = 14;
    /// <summary>
    /// A raised campaign takes in a report whose text is like that of at least <see cref="GatherLinks"/> of its members and
    /// whose evidence with each comes within <see cref="GatherSlack"/> of the link threshold for their gap (0: never).
    /// </summary>
    public int GatherLinks { get; init; } = 2;
    public double GatherSlack { get; init; } = 3;
    /// <summary>
    /// Only members within this time of the report count for gathering: a campaign's copies come close together, a rights
    /// holder's usual notices (a stream a false campaign may have been raised on) at any time.
    /// </summary>
    public TimeSpan GatherWithin { get; init; } = TimeSpan.FromHours(24);

    public static readonly CampaignSettings Default = new();
}

/// <summary>Reports observed, candidates weighed against them, and pairs of texts compared exactly.</summary>
public sealed record CampaignWork(long Reports, long Candidates, double TextsCompared);

/// <summary>A report as campaign detection receives it.</summary>
public sealed record NoticeReport(
    Guid ReportId, Guid OrganisationId, Guid? IncidentId, string Country, Platform Platform, SubjectType SubjectType, GroundCategory Category,
    DateOnly OccurredOn, DateTimeOffset? OccurredAt, string? ExternalId, ReportNotice Notice, long Revision);

/// <summary>
/// Incremental campaign detection. Each new report is compared only with earlier reports found through its blocking keys
/// (LSH bands of its notice's MinHash signature, claimant keys, claimed-original domain) within 7 days of it; linked
/// reports are joined into clusters (union by size), and a cluster of at least three reports whose links are closer in time
/// than chance explains becomes a suspected campaign. Returns the events to append to campaign streams.
/// </summary>
public sealed class CampaignEngine(CampaignState state, CampaignSettings settings)
{
    private const int ShinglesKept = 100_000;
    private readonly Dictionary<Guid, ulong[]> _shingles = [];
    private long _reports, _candidates, _textsAsked;

    /// <summary>What detection has done so far: how much comparing the reports took (benchmarks report it).</summary>
    public CampaignWork Work => new(_reports, _candidates, _textsAsked / 2.0); // two texts to a comparison

    // The comparison's access to shingle sets, made once: a method group passed as a delegate is a new object each time,
    // and it is passed for every candidate of every report.
    private Func<NoticeProfile, ulong[]>? _shinglesOf;
    private Func<NoticeProfile, ulong[]> Shingles => _shinglesOf ??= ShinglesOf;

    private ulong[] ShinglesOf(NoticeProfile p)
    {
        _textsAsked++;
        if (_shingles.TryGetValue(p.Id, out var set)) return set;
        if (_shingles.Count >= ShinglesKept) _shingles.Clear(); // a cache: bounded, and recomputed from the text when needed
        return _shingles[p.Id] = NoticeText.Shingles(p.Text);
    }

    /// <summary>A new report, or a newer revision of one; returns campaign events as (stream id, event).</summary>
    public Task<IReadOnlyList<(Guid CampaignId, object Event)>> ObserveAsync(NoticeReport r, DateTimeOffset now, CancellationToken ct) =>
        ObserveAsync(PreparedNotice.Of(r), now, ct);

    /// <summary>The same, for a notice prepared beforehand (<see cref="PreparedNotice.Of"/>, which may run in parallel).</summary>
    public async Task<IReadOnlyList<(Guid CampaignId, object Event)>> ObserveAsync(PreparedNotice prepared, DateTimeOffset now, CancellationToken ct)
    {
        var r = prepared.Report;
        var known = await state.ProfileAsync(r.ReportId, ct);
        if (known is not null && (known.Retracted || known.Revision >= r.Revision)) return [];

        var background = await state.BackgroundAsync(prepared.LineCountKeys, ct);
        var profile = ProfileOf(prepared, background);
        background = await state.BackgroundAsync(prepared.CountedKeys, ct); // "days" is among the line counts' keys

        var events = new List<(Guid, object)>();
        if (known is not null)
        {
            if (r.OrganisationId == Guid.Empty) profile.OrganisationId = known.OrganisationId; // revisions do not repeat it
            // A revision: the report is compared afresh; it stays in its cluster (an analyst can split it off).
            profile.ClusterId = known.ClusterId;
            state.Unindex(known.Id);
            _shingles.Remove(known.Id);
        }
        else Count(profile, prepared, background);

        var linked = new List<NoticeProfile>();
        var candidates = await state.CandidatesAsync(profile, settings.CandidatesPerKey, ct);
        _reports++;
        _candidates += candidates.Count;
        var weights = SignalWeights.Of(profile, background); // what its shared values weigh, the same for every candidate
        List<NoticeProfile>? near = null;
        foreach (var candidate in candidates)
        {
            var gap = profile.OccurredAt - candidate.OccurredAt;
            if (gap.Duration() > settings.GatherWithin || !await GatheringAsync(candidate, profile, ct))
            {
                if (Linking.Links(profile, candidate, Shingles, weights, gap)) linked.Add(candidate);
                continue;
            }
            if (Linking.Nearly(profile, candidate, Shingles, weights, gap, settings.GatherSlack) is not { } nearly) continue;
            if (nearly.Links) linked.Add(candidate);
            else if (nearly.SharesText) (near ??= []).Add(candidate);
        }
        // A raised campaign takes in a report whose text is like several of its members' and that comes close to linking
        // with each, too unlike any to link alone: the edited copies of a campaign under invented names. Its near links
        // without the text (a claimant's or a domain's usual notices) do not count.
        if (near is not null)
            foreach (var members in near.GroupBy(c => c.ClusterId))
                if (members.Count() >= settings.GatherLinks) linked.AddRange(members);
        state.Save(profile, index: true);
        if (linked.Count == 0) return events;

        var cluster = await JoinAsync(profile, linked, events, now, ct);
        if (cluster is not null) await EvaluateAsync(cluster, events, now, ct);
        return events;
    }

    /// <summary>
    /// Loads in a few set-based queries what a page of notices will then ask for one by one (see
    /// <see cref="CampaignState.PrefetchAsync"/>), with their profiles as they stand before the page.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<PreparedNotice> notices, CancellationToken ct)
    {
        if (notices.Count == 0) return;
        await state.ProfilesAsync(notices.Select(n => n.Report.ReportId), ct);
        var background = await state.BackgroundAsync(notices.SelectMany(n => n.LineCountKeys), ct);
        var drafts = notices.Select(n => ProfileOf(n, background)).ToList();
        await state.BackgroundAsync(drafts.SelectMany(Background.KeysFor), ct);
        await state.PrefetchAsync(drafts, settings.CandidatesPerKey, ct);
    }

    /// <summary>
    /// A notice's profile without its boilerplate: a line in many notices, spread over many days (or, while few days have
    /// been seen, over every one of them but the newest, which may only have begun), is boilerplate; the same line in a
    /// burst of notices is not, or a campaign of identical notices would hide itself. In the first days of a history the
    /// number of notices asked for is scaled to the days seen: a platform's template line on each of them is boilerplate
    /// before twenty notices carry it (else its first notices would look like copies of one text); a campaign in those
    /// first days is not told from a template.
    /// </summary>
    private NoticeProfile ProfileOf(PreparedNotice prepared, Background background)
    {
        long days = Math.Max(1, background.Count(Background.Days));
        long spread = Math.Min(settings.BoilerplateDays, Math.Max(1, days - 1));
        long least = Math.Min(settings.BoilerplateMin, settings.BoilerplatePerDay * days);
        HashSet<ulong>? boilerplate = null;
        foreach (var line in prepared.LineCounts)
            if (background.Count(line.Notices) >= least && background.Count(line.Days) >= spread)
                (boilerplate ??= []).Add(line.Hash);
        return NoticeProfile.Create(prepared, hash => boilerplate?.Contains(hash) == true);
    }

    /// <summary>Whether a candidate belongs to a raised campaign, not dismissed, that may gather this report.</summary>
    private async ValueTask<bool> GatheringAsync(NoticeProfile candidate, NoticeProfile report, CancellationToken ct) =>
        settings.GatherLinks > 0 && candidate.ClusterId is { } id && candidate.ClusterId != report.ClusterId
        && await state.ClusterAsync(id, ct) is { CampaignId: not null, Dismissed: false } cluster && !cluster.SplitOff.Contains(report.Id);

    /// <summary>How detection signs the merges it makes itself when clusters meet (analysts' merges are signed with their key).</summary>
    public const string ClustersMet = "detection (clusters met)";

    /// <summary>
    /// An analyst's decision carried into the clusters detection keeps: confirmed or dismissed, a report split off (never
    /// linked into the cluster again), campaigns merged (their clusters become one). Detection is the one writer of its
    /// clusters and profiles and meets decisions in the order of events, so a decision and a page of reports touching
    /// the same campaign cannot overwrite each other. Other events (detection's own merges) change nothing.
    /// </summary>
    public async Task DecideAsync(object decision, CancellationToken ct)
    {
        switch (decision)
        {
            case CampaignConfirmedByAnalyst e when await state.ClusterOfCampaignAsync(e.CampaignId, ct) is { Dismissed: true } cluster:
                cluster.Dismissed = false;
                state.Save(cluster);
                break;
            case CampaignDismissedByAnalyst e when await state.ClusterOfCampaignAsync(e.CampaignId, ct) is { Dismissed: false } cluster:
                cluster.Dismissed = true;
                state.Save(cluster);
                break;
            case CampaignReportSplitOff e:
                if (await state.ClusterOfCampaignAsync(e.CampaignId, ct) is { } from)
                {
                    from.Members.Remove(e.ReportId);
                    from.Announced.Remove(e.ReportId);
                    if (!from.SplitOff.Contains(e.ReportId)) from.SplitOff.Add(e.ReportId);
                    state.Save(from);
                    if (await state.ProfileAsync(e.ReportId, ct) is { } split && split.ClusterId == from.Id)
                    {
                        split.ClusterId = null;
                        state.Save(split, index: false);
                    }
                }
                break;
            case CampaignAbsorbed e when e.By != ClustersMet:
                if (await state.ClusterOfCampaignAsync(e.CampaignId, ct) is not { } target) break;
                foreach (var absorbed in e.From)
                {
                    if (await state.ClusterOfCampaignAsync(absorbed, ct) is not { } cluster || cluster.Id == target.Id) continue;
                    target.Members.AddRange(cluster.Members.Except(target.Members));
                    target.Announced.AddRange(cluster.Members.Except(target.Announced));
                    target.SplitOff.AddRange(cluster.SplitOff.Except(target.SplitOff));
                    foreach (var member in await state.ProfilesAsync(cluster.Members, ct))
                    {
                        member.ClusterId = target.Id;
                        state.Save(member, index: false);
                    }
                    state.Delete(cluster.Id);
                }
                state.Save(target);
                break;
        }
    }

    /// <summary>A retracted report leaves detection: no longer a candidate, and no longer counted toward its cluster's test.</summary>
    public async Task RetractAsync(Guid reportId, CancellationToken ct)
    {
        var known = await state.ProfileAsync(reportId, ct);
        if (known is null || known.Retracted) return;
        known.Retracted = true;
        state.Unindex(reportId);
        state.Save(known, index: false);
    }

    private void Count(NoticeProfile p, PreparedNotice prepared, Background background)
    {
        foreach (var key in prepared.CountedKeys) state.Increment(key);
        if (background.Count(prepared.SeenDayKey) == 0)
        {
            state.Increment(prepared.SeenDayKey);
            state.Increment(Background.Days);
        }
        foreach (var line in prepared.LineCounts)
        {
            state.Increment(line.Notices);
            if (background.Count(line.OnDay) == 0)
            {
                state.Increment(line.OnDay);
                state.Increment(line.Days);
            }
        }
        var occurred = DateOnly.FromDateTime(p.OccurredAt.UtcDateTime);
        foreach (var stratum in Strata.Widening(p)) state.CountDay(stratum, occurred);
    }

    /// <summary>Union: the report and the reports it links to join the largest of their clusters; the others merge into it.</summary>
    private async Task<CandidateCluster?> JoinAsync(NoticeProfile profile, List<NoticeProfile> linked, List<(Guid, object)> events, DateTimeOffset now, CancellationToken ct)
    {
        var clusters = new List<CandidateCluster>();
        foreach (var id in linked.Select(l => l.ClusterId).Append(profile.ClusterId).OfType<Guid>().Distinct())
            if (await state.ClusterAsync(id, ct) is { } c && !c.SplitOff.Contains(profile.Id)) clusters.Add(c);
        var target = clusters.OrderByDescending(c => c.Members.Count).ThenBy(c => c.Id).FirstOrDefault()
                     ?? new CandidateCluster { Id = NameBasedGuid.Create($"cluster:{profile.Id:N}") };

        var joining = new List<NoticeProfile> { profile };
        joining.AddRange(linked.Where(l => l.ClusterId is null && !target.SplitOff.Contains(l.Id)));
        foreach (var other in clusters.Where(c => c.Id != target.Id))
        {
            joining.AddRange(await state.ProfilesAsync(other.Members, ct));
            target.SplitOff.AddRange(other.SplitOff.Except(target.SplitOff));
            target.Announced.AddRange(other.Announced.Except(target.Announced));
            if (other.CampaignId is { } absorbed)
            {
                if (target.CampaignId is { } into)
                {
                    var members = (await state.ProfilesAsync(other.Members, ct)).Select(MemberOf).ToList();
                    events.Add((into, new CampaignAbsorbed(into, [absorbed], members, ClustersMet, now)));
                    events.Add((absorbed, new CampaignMergedInto(absorbed, into, ClustersMet, now)));
                }
                else (target.CampaignId, target.Dismissed) = (absorbed, other.Dismissed);
            }
            state.Delete(other.Id);
        }
        foreach (var member in joining.DistinctBy(m => m.Id))
        {
            if (!target.Members.Contains(member.Id)) target.Members.Add(member.Id);
            if (member.ClusterId != target.Id)
            {
                member.ClusterId = target.Id;
                state.Save(member, index: false);
            }
        }
        state.Save(target);
        return target;
    }

    public static CampaignMember MemberOf(NoticeProfile p) => new(p.Id, p.OrganisationId, p.ExternalId, p.OccurredAt, p.Platform, p.Country);

    private bool DueForTest(int size) => size >= settings.MinMembers && (size <= 2 * settings.MinMembers || size % Math.Max(1, size / 8) == 0);

    private async Task EvaluateAsync(CandidateCluster cluster, List<(Guid, object)> events, DateTimeOffset now, CancellationToken ct)
    {
        if (cluster.CampaignId is { } campaignId)
        {
            // Only members not yet named are loaded: a large campaign gains a report without reading all of its reports.
            var announced = cluster.Announced.ToHashSet();
            var fresh = await state.ProfilesAsync(cluster.Members.Where(id => !announced.Contains(id)), ct);
            foreach (var m in fresh.Where(m => !m.Retracted).OrderBy(m => m.OccurredAt).ThenBy(m => m.Id))
            {
                events.Add((campaignId, new CampaignReportLinked(campaignId, MemberOf(m), now)));
                cluster.Announced.Add(m.Id);
            }
            state.Save(cluster);
            return;
        }
        // Tested at each of its first sizes, then each time it has grown by about an eighth: a cluster that chance
        // explains (a legitimate claimant's steady stream) would otherwise be re-tested with every report it gains.
        if (!DueForTest(cluster.Members.Count)) return;
        var members = (await state.ProfilesAsync(cluster.Members, ct)).Where(m => !m.Retracted).OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToList();
        if (members.Count < settings.MinMembers) return;

        // A sample spread over the cluster's whole span: the earliest members alone would always look bunched in time.
        var tested = members.Count <= settings.MaxTested
            ? members
            : Enumerable.Range(0, settings.MaxTested).Select(i => members[(int)((long)i * (members.Count - 1) / (settings.MaxTested - 1))]).ToList();
        var background = await state.BackgroundAsync(tested.SelectMany(Background.KeysFor), ct);
        var pairs = new List<(int, int, PairEvidence)>();
        for (int i = 0; i < tested.Count; i++)
        {
            var weights = SignalWeights.Of(tested[i], background);
            for (int j = i + 1; j < tested.Count; j++)
                pairs.Add((i, j, Linking.Evidence(tested[i], tested[j], Shingles, weights)));
        }
        // Times are shuffled within the platform-and-policy stratum; a stratum with little besides the cluster itself, or
        // with its notices on a few days only (another burst), says nothing about chance, so then the platform's, or all
        // notices', times are drawn instead.
        var strata = new Dictionary<string, TimeSampler>();
        foreach (var m in tested.DistinctBy(m => m.Stratum))
            foreach (var stratum in Strata.Widening(m))
            {
                var days = await state.StratumDaysAsync(stratum, ct);
                if ((days.Values.Sum() >= 10L * tested.Count && days.Count(d => d.Value > 0) >= settings.StratumDays) || stratum == Strata.All)
                {
                    strata[m.Stratum] = new TimeSampler(days);
                    break;
                }
            }
        double p = ClusterSignificance.PValue(tested, pairs, (m, random) => strata[m.Stratum].Draw(random, m.OccurredAt), seed: cluster.Id.GetHashCode(), settings.Alpha);
        if (p > settings.Alpha) return;

        var links = pairs.Where(x => Linking.Links(x.Item3, tested[x.Item1].OccurredAt - tested[x.Item2].OccurredAt)).Select(x => x.Item3).ToList();
        var id = NameBasedGuid.Create($"campaign:{cluster.Id:N}");
        events.Add((id, new CampaignRaised(id, cluster.Id, members.Select(MemberOf).ToList(), Linking.Describe(links),
            Math.Round(links.Count == 0 ? 0 : links.Average(l => l.Weight), 2), p, now)));
        cluster.CampaignId = id;
        cluster.Announced = members.Select(m => m.Id).ToList();
        state.Save(cluster);
    }
}

/// <summary>Draws times from a stratum's background: a day in proportion to its notices, a time of day at random.</summary>
public sealed class TimeSampler(IReadOnlyDictionary<DateOnly, long> days)
{
    private readonly DateOnly[] _days = days.Where(d => d.Value > 0).Select(d => d.Key).Order().ToArray();
    private readonly double[] _cumulative = Cumulative(days.Where(d => d.Value > 0).OrderBy(d => d.Key).Select(d => (double)d.Value));

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        double sum = 0;
        return weights.Select(w => sum += w).ToArray();
    }

    public DateTimeOffset Draw(Random random, DateTimeOffset fallback)
    {
        if (_days.Length == 0) return fallback;
        double x = random.NextDouble() * _cumulative[^1];
        int i = Array.BinarySearch(_cumulative, x);
        if (i < 0) i = ~i;
        var day = _days[Math.Min(i, _days.Length - 1)];
        return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(random.Next(86_400));
    }
}
