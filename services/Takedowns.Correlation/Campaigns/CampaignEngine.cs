using Takedowns.Contracts;
using CampaignSignal = Takedowns.Contracts.Analysis.CampaignSignal;
using Takedowns.Contracts.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignSettings
{
    /// <summary>Fewest reports a cluster needs before it is tested.</summary>
    public int MinMembers { get; init; } = 4;
    /// <summary>
    /// The false-discovery rate campaigns are raised under: each cluster tested is a candidate, given its level by
    /// <see cref="OnlineDiscovery"/> as it comes. At 0.1 an analyst reads, on average, at most one false campaign in ten
    /// raised (the bound; on the benchmark's null and planted scenarios none or nearly none).
    /// </summary>
    public double FalseDiscoveryRate { get; init; } = 0.1;
    /// <summary>
    /// Levels valid however candidates' p-values depend on each other (LOND with the harmonic correction), rather than
    /// under positive dependence (<see cref="OnlineDiscovery"/>).
    /// </summary>
    public bool ArbitraryDependence { get; init; }
    /// <summary>Windows (days, ending on a cluster's newest member's day) in which a cluster is compared with its family's history.</summary>
    public IReadOnlyList<int> FamilyWindows { get; init; } = [1, 3, 7];
    /// <summary>Days before a window that stand for a family's usual rate.</summary>
    public int BaselineDays { get; init; } = 84;
    /// <summary>At most this many members (spread over the cluster's span) are weighed pairwise for its signals and score, and give its family's keys.</summary>
    public int MaxTested { get; init; } = 40;
    /// <summary>
    /// A line in at least this many notices, on at least <see cref="BoilerplateDays"/> days, is boilerplate; while fewer
    /// days have been seen, a line in <see cref="BoilerplatePerDay"/> notices per day seen, on every one of them but the
    /// newest, is too.
    /// </summary>
    public int BoilerplateMin { get; init; } = 20;
    public int BoilerplateDays { get; init; } = 7;
    public int BoilerplatePerDay { get; init; } = 2;
    /// <summary>
    /// Per blocking key, a new report is compared with at most this many reports before it and as many after it (the
    /// nearest in time). A campaign's copies share many keys (LSH bands, claimant, domain) and one link joins a cluster,
    /// so 8 finds what 16 found on every scenario family while weighing a quarter fewer candidates (fewer still where
    /// the volume is high and the cap binds).
    /// </summary>
    public int CandidatesPerKey { get; init; } = 8;
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
    /// <summary>
    /// Whether a campaign raised, or grown, also gathers the reports that came before it could (off: only those arriving
    /// after it, so that what is gathered depends on the order reports arrive in).
    /// </summary>
    public bool GatherEarlier { get; init; } = true;
    /// <summary>
    /// Whether a cluster must also be bunched in time beyond what its links joined (<c>ClusterSignificance.Bunching</c> given its links)
    /// to be raised: its p-value is then the larger of the two tests'. Off, the rise of its family decides alone.
    /// </summary>
    public bool RequireBunching { get; init; }

    public static readonly CampaignSettings Default = new();
}

/// <summary>Reports observed, candidates weighed against them, and pairs of texts compared exactly.</summary>
public sealed record CampaignWork(long Reports, long Candidates, double TextsCompared);

/// <summary>
/// A cluster tested: its members (one per incident), the p-values of its two tests (<see cref="ClusterSignificance"/>), the one
/// that decides (the rise, or the larger of the two when bunching is required), the level it was given and whether it was raised.
/// </summary>
public sealed record CandidateTest(Guid ClusterId, int Members, double Bunching, double Rise, double PValue, double Level, bool Raised);

/// <summary>What a cluster's members say together: the signals of their links in words, the links' mean weight, the p-values.</summary>
public sealed record ClusterAssessment(IReadOnlyList<string> Signals, double Score, double Bunching, double Rise, double PValue,
    IReadOnlyList<CampaignSignal>? Evidence = null);

/// <summary>A report as campaign detection receives it.</summary>
public sealed record NoticeReport(
    Guid ReportId, Guid OrganisationId, Guid? IncidentId, string Country, Platform Platform, SubjectType SubjectType, GroundCategory Category,
    DateOnly OccurredOn, DateTimeOffset? OccurredAt, string? ExternalId, ReportNotice Notice, long Revision)
{
    /// <summary>When it happened as detection places it in time: its time if given, else noon (UTC) of its day.</summary>
    public DateTimeOffset Time => OccurredAt ?? new DateTimeOffset(OccurredOn.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
}

/// <summary>
/// Incremental campaign detection. Each new report is compared only with earlier reports found through its blocking keys
/// (LSH bands of its notice's MinHash signature, claimant keys, claimed-original domain) within 7 days of it; linked
/// reports are joined into clusters (union by size), and a cluster of reports of at least <see cref="CampaignSettings.MinMembers"/>
/// incidents whose family rose beyond its own history (<see cref="ClusterSignificance.Rise"/>), at the level online FDR
/// control gives it, becomes a suspected campaign. Returns the events to append to campaign streams.
/// </summary>
public sealed class CampaignEngine(CampaignState state, CampaignSettings settings)
{
    private const int ShinglesKept = 100_000;
    private readonly Dictionary<Guid, ulong[]> _shingles = [];
    private long _reports, _candidates, _textsAsked;

    private readonly List<CandidateTest> _tested = [];

    /// <summary>Every cluster tested by this engine, in order (benchmarks check that on null data their p-values are about uniform).</summary>
    public IReadOnlyList<CandidateTest> Tested => _tested;

    /// <summary>Clusters tested and campaigns raised over the whole history: what the level of the next test depends on.</summary>
    private static readonly long TestsKey = CountKey.Of("candidates:tested"), RaisedKey = CountKey.Of("candidates:raised");

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
            state.Unindex(known);
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
        bool linkedAlone = linked.Count > 0;
        if (near is not null)
            foreach (var members in near.GroupBy(c => c.ClusterId))
            {
                if (members.Key is not { } id || await state.ClusterAsync(id, ct) is not { } gathering) continue;
                var by = members.Where(m => !gathering.Gathered.Contains(m.Id)).ToList();
                if (by.Count >= settings.GatherLinks) linked.AddRange(by);
            }
        state.Save(profile, index: true);
        if (linked.Count == 0) return events;

        var cluster = await JoinAsync(profile, linked, events, now, ct);
        if (!linkedAlone && cluster is not null && !cluster.Gathered.Contains(profile.Id))
        {
            cluster.Gathered.Add(profile.Id);
            state.Save(cluster);
        }
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
    /// <returns>Events to append: a campaign analysts merged others into, its signals, score and p-value worked out again from all its members.</returns>
    public async Task<IReadOnlyList<(Guid CampaignId, object Event)>> DecideAsync(object decision, DateTimeOffset now, CancellationToken ct)
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
                    from.Gathered.Remove(e.ReportId);
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
                    target.Gathered.AddRange(cluster.Gathered.Except(target.Gathered));
                    foreach (var member in await state.ProfilesAsync(cluster.Members, ct))
                    {
                        member.ClusterId = target.Id;
                        state.Save(member, index: false);
                    }
                    state.Delete(cluster.Id);
                }
                state.Save(target);
                var members = (await state.ProfilesAsync(target.Members, ct)).Where(m => !m.Retracted).ToList();
                if (members.Count == 0) break;
                var assessment = await AssessAsync(members, ct);
                return [(e.CampaignId, new CampaignRescored(e.CampaignId, members.Count, assessment.Signals, assessment.Score, assessment.PValue, now, assessment.Evidence))];
        }
        return [];
    }

    /// <summary>A retracted report leaves detection: no longer a candidate, and no longer counted toward its cluster's test.</summary>
    public async Task RetractAsync(Guid reportId, CancellationToken ct)
    {
        var known = await state.ProfileAsync(reportId, ct);
        if (known is null || known.Retracted) return;
        known.Retracted = true;
        state.Unindex(known);
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
        var occurred = Families.DayOf(p);
        foreach (var stratum in Strata.Widening(p)) state.CountDay(stratum, occurred);
        state.Increment(Families.NoticesOn(p.Platform, occurred));
        foreach (var family in Families.Of(p)) state.Increment(Families.On(p.Platform, family, occurred));
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
            target.Gathered.AddRange(other.Gathered.Except(target.Gathered));
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
            var fresh = (await state.ProfilesAsync(cluster.Members.Where(id => !announced.Contains(id)), ct))
                .Where(m => !m.Retracted).OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToList();
            foreach (var m in fresh)
            {
                events.Add((campaignId, new CampaignReportLinked(campaignId, MemberOf(m), now)));
                cluster.Announced.Add(m.Id);
            }
            state.Save(cluster);
            await GatherEarlierAsync(cluster, fresh.Where(m => !cluster.Gathered.Contains(m.Id)).ToList(), events, now, ct);
            return;
        }
        // Tested at each of its first sizes, then each time it has grown by about an eighth: a cluster that chance
        // explains (a legitimate claimant's steady stream) would otherwise be re-tested with every report it gains.
        if (!DueForTest(cluster.Members.Count)) return;
        var members = (await state.ProfilesAsync(cluster.Members, ct)).Where(m => !m.Retracted).OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToList();
        if (Incidents(members).Count < settings.MinMembers) return;

        var assessment = await AssessAsync(members, ct);
        // Every cluster tested is a candidate: its level depends on how many were tested and raised before it, over the
        // whole history (kept as counts, so a restart or the next page goes on from there).
        var counts = await state.BackgroundAsync([TestsKey, RaisedKey], ct);
        double level = OnlineDiscovery.Level(settings.FalseDiscoveryRate, counts.Count(TestsKey) + 1, counts.Count(RaisedKey), settings.ArbitraryDependence);
        state.Increment(TestsKey);
        bool raise = assessment.PValue <= level;
        _tested.Add(new CandidateTest(cluster.Id, Incidents(members).Count, assessment.Bunching, assessment.Rise, assessment.PValue, level, raise));
        if (!raise) return;

        state.Increment(RaisedKey);
        var id = NameBasedGuid.Create($"campaign:{cluster.Id:N}");
        events.Add((id, new CampaignRaised(id, cluster.Id, members.Select(MemberOf).ToList(), assessment.Signals, assessment.Score, assessment.PValue, now,
            assessment.Evidence)));
        cluster.CampaignId = id;
        cluster.Announced = members.Select(m => m.Id).ToList();
        state.Save(cluster);
        await GatherEarlierAsync(cluster, members, events, now, ct);
    }

    /// <summary>
    /// A campaign raised, or grown by <paramref name="fresh"/> members, gathers the reports near them that came before it
    /// could: what a report arriving now would be gathered by (<see cref="CampaignSettings.GatherLinks"/>) does not depend
    /// on whether it arrived before the campaign was raised or after. Imports deliver one organisation's reports after
    /// another's, so a campaign's copies reported by the first are compared with one another long before the others'
    /// raise it. Only a report whose text is like a fresh member's is weighed again; a report gathered does not gather in
    /// turn, but the reports linked to it that join with it are swept from.
    /// </summary>
    private async Task GatherEarlierAsync(CandidateCluster cluster, IReadOnlyList<NoticeProfile> fresh, List<(Guid, object)> events,
        DateTimeOffset now, CancellationToken ct)
    {
        if (settings.GatherLinks == 0 || !settings.GatherEarlier || cluster.Dismissed) return;
        var sweep = new Queue<NoticeProfile>(fresh);
        while (sweep.TryDequeue(out var member))
        {
            if (member.ClusterId is not { } clusterId || await state.ClusterAsync(clusterId, ct) is not { CampaignId: not null, Dismissed: false } campaign) continue;
            var background = await state.BackgroundAsync(Background.KeysFor(member), ct);
            var weights = SignalWeights.Of(member, background);
            foreach (var near in await state.CandidatesAsync(member, settings.CandidatesPerKey, ct))
            {
                var gap = near.OccurredAt - member.OccurredAt;
                if (near.ClusterId == campaign.Id || gap.Duration() > settings.GatherWithin || campaign.SplitOff.Contains(near.Id)) continue;
                if (Linking.Nearly(member, near, Shingles, weights, -gap, settings.GatherSlack) is not { SharesText: true }) continue;
                // A campaign an analyst dismissed keeps its reports: nothing is merged into it or taken from it here.
                if (near.ClusterId is { } its && await state.ClusterAsync(its, ct) is { Dismissed: true }) continue;
                var linked = await GatheredByAsync(near, campaign, ct);
                if (linked.Count < settings.GatherLinks) continue;
                var before = campaign.Members.ToHashSet();
                // The larger cluster takes the other in: the campaign may now be held by the cluster the report was in.
                if (await JoinAsync(near, linked, events, now, ct) is not { CampaignId: { } campaignId } joined) break;
                campaign = joined;
                var added = (await state.ProfilesAsync(joined.Members.Where(id => !before.Contains(id) && !joined.Announced.Contains(id)), ct))
                    .Where(m => !m.Retracted).OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToList();
                // The report gathered does not gather in turn; reports linked to it, now members, do.
                if (!joined.Gathered.Contains(near.Id)) joined.Gathered.Add(near.Id);
                foreach (var m in added)
                {
                    events.Add((campaignId, new CampaignReportLinked(campaignId, MemberOf(m), now)));
                    joined.Announced.Add(m.Id);
                    if (m.Id != near.Id) sweep.Enqueue(m);
                }
                state.Save(joined);
            }
        }
    }

    /// <summary>The members of a campaign that gather a report, as they would if it arrived now: its near links among them.</summary>
    private async Task<List<NoticeProfile>> GatheredByAsync(NoticeProfile report, CandidateCluster campaign, CancellationToken ct)
    {
        var background = await state.BackgroundAsync(Background.KeysFor(report), ct);
        var weights = SignalWeights.Of(report, background);
        var by = new List<NoticeProfile>();
        foreach (var candidate in await state.CandidatesAsync(report, settings.CandidatesPerKey, ct))
        {
            var gap = report.OccurredAt - candidate.OccurredAt;
            if (candidate.ClusterId != campaign.Id || gap.Duration() > settings.GatherWithin || campaign.Gathered.Contains(candidate.Id)) continue;
            if (Linking.Nearly(report, candidate, Shingles, weights, gap, settings.GatherSlack) is { } nearly && (nearly.Links || nearly.SharesText))
                by.Add(candidate);
        }
        return by;
    }

    /// <summary>
    /// A cluster's signals, score and p-values, from its members (in order of time): the signals and the score from the
    /// links among at most <see cref="CampaignSettings.MaxTested"/> of them spread over its span; whether its days are
    /// bunched against its members' strata; whether its newest days are a rise of its family.
    /// </summary>
    private async Task<ClusterAssessment> AssessAsync(IReadOnlyList<NoticeProfile> members, CancellationToken ct)
    {
        // One takedown reported by several organisations is one event: its reports agree in time and text because they
        // describe the same thing, not because someone sent many notices.
        members = Incidents(members);
        // A sample spread over the cluster's whole span: the earliest members alone would always look bunched in time.
        var tested = Spread(members, settings.MaxTested);
        var background = await state.BackgroundAsync(tested.SelectMany(Background.KeysFor), ct);
        var links = new List<PairEvidence>();
        var reach = new List<(int A, int B, int Windows)>();
        for (int i = 0; i < tested.Count; i++)
        {
            var weights = SignalWeights.Of(tested[i], background);
            for (int j = i + 1; j < tested.Count; j++)
            {
                var evidence = Linking.Evidence(tested[i], tested[j], Shingles, weights);
                if (Linking.Links(evidence, tested[i].OccurredAt - tested[j].OccurredAt)) links.Add(evidence);
                if (Linking.WindowsReached(evidence) is > 0 and var reached) reach.Add((i, j, reached));
            }
        }

        // Days are drawn from the platform-and-policy stratum; a stratum with little besides the cluster itself, or with its
        // notices on a few days only (another burst), says nothing about chance, so then the platform's, or all notices'.
        var strata = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>>();
        var drawnFrom = new Dictionary<string, string>();
        foreach (var m in members.DistinctBy(m => m.Stratum))
            foreach (var stratum in Strata.Widening(m))
            {
                var days = await state.StratumDaysAsync(stratum, ct);
                if ((days.Values.Sum() >= 10L * tested.Count && days.Count(d => d.Value > 0) >= settings.StratumDays) || stratum == Strata.All)
                {
                    (strata[stratum], drawnFrom[m.Stratum]) = (days, stratum);
                    break;
                }
            }
        // The members are drawn from the stratum's other notices: a campaign's own notices would make its days look busy.
        foreach (var (name, days) in strata.ToList())
        {
            var own = members.Where(m => Strata.Widening(m).Contains(name)).GroupBy(Families.DayOf).ToDictionary(g => g.Key, g => (long)g.Count());
            strata[name] = days.ToDictionary(d => d.Key, d => Math.Max(0, d.Value - own.GetValueOrDefault(d.Key)));
        }
        // Members are a cluster only because their links held, each within the window its evidence reaches: closeness in
        // time counts only beyond what the links would have joined anyway.
        double bunching = LinkingTree(tested.Count, reach) is { } tree
            ? ClusterSignificance.Bunching(tested.Select(m => (ClusterSignificance.Interval(m.OccurredAt), drawnFrom[m.Stratum])).ToList(), strata, tree,
                reach.Count == tested.Count * (tested.Count - 1) / 2 ? Linking.Windows[reach.Min(r => r.Windows) - 1].Window : null)
            : 1;

        // The family: the keys of the members in the longest window (at most MaxTested of the newest), counted per day on
        // their platforms.
        var newest = Families.DayOf(members[^1]);
        int longest = settings.FamilyWindows.Max();
        var recent = members.Where(m => Families.DayOf(m) > newest.AddDays(-longest)).TakeLast(settings.MaxTested).ToList();
        var families = recent.SelectMany(m => Families.Of(m).Select(f => (m.Platform, Family: f))).ToHashSet();
        var platforms = recent.Select(m => m.Platform).Distinct().ToList();
        var first = newest.AddDays(1 - longest - settings.BaselineDays);
        var dayKeys = new List<long>();
        for (var day = first; day <= newest; day = day.AddDays(1))
        {
            foreach (var platform in platforms) dayKeys.Add(Families.NoticesOn(platform, day));
            foreach (var (platform, family) in families) dayKeys.Add(Families.On(platform, family, day));
        }
        var counts = await state.BackgroundAsync(dayKeys, ct);
        double rise = ClusterSignificance.Rise(members.Select(Families.DayOf).ToList(),
            day => families.Sum(f => counts.Count(Families.On(f.Platform, f.Family, day))), day => platforms.Sum(p => counts.Count(Families.NoticesOn(p, day))),
            settings.FamilyWindows, settings.BaselineDays);

        return new ClusterAssessment(Linking.Describe(links), Math.Round(links.Count == 0 ? 0 : links.Average(l => l.Weight), 2), bunching, rise,
            settings.RequireBunching ? Math.Max(bunching, rise) : rise, Linking.Measure(links, tested, background));
    }

    /// <summary>The earliest report of each incident (a report without one is its own), in order of time.</summary>
    private static List<NoticeProfile> Incidents(IEnumerable<NoticeProfile> members) =>
        members.OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).DistinctBy(m => m.IncidentId ?? m.Id).ToList();

    /// <summary>
    /// The tree of the strongest links among <paramref name="count"/> reports (each pair with the number of
    /// <see cref="Linking.Windows"/> its evidence reaches): per report, the window of the link joining it towards the
    /// first (zero for the first). Its links are those whose windows multiply to the most (the longest windows first), so
    /// reports drawn at random join along it as readily as along any tree. Null if the links leave them apart.
    /// </summary>
    public static IReadOnlyList<TimeSpan>? LinkingTree(int count, IReadOnlyList<(int A, int B, int Windows)> reach)
    {
        if (count < 2) return null;
        var parent = Enumerable.Range(0, count).ToArray();
        int Root(int x) => parent[x] == x ? x : parent[x] = Root(parent[x]);
        var edges = new List<(int A, int B, int Windows)>();
        foreach (var edge in reach.OrderByDescending(r => r.Windows).ThenBy(r => r.A).ThenBy(r => r.B))
            if (Root(edge.A) is var ra && Root(edge.B) is var rb && ra != rb)
            {
                parent[ra] = rb;
                edges.Add(edge);
            }
        if (edges.Count != count - 1) return null;
        // Hung from the first report: each report takes the window of the edge towards it.
        var windows = new TimeSpan[count];
        var seen = new bool[count];
        var queue = new Queue<int>([0]);
        seen[0] = true;
        while (queue.TryDequeue(out int at))
            foreach (var (a, b, w) in edges)
                if ((a == at || b == at) && (a == at ? b : a) is var next && !seen[next])
                {
                    seen[next] = true;
                    windows[next] = Linking.Windows[w - 1].Window;
                    queue.Enqueue(next);
                }
        return windows;
    }

    private static List<NoticeProfile> Spread(IReadOnlyList<NoticeProfile> members, int most) =>
        members.Count <= most
            ? members.ToList()
            : Enumerable.Range(0, most).Select(i => members[(int)((long)i * (members.Count - 1) / (most - 1))]).ToList();
}
