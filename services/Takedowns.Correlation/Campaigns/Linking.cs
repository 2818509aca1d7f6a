using Takedowns.Contracts;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// How common things are among all notices seen: what makes a shared claimant or domain a coincidence or not. Counts are
/// named by <see cref="CountKey"/>: "n" (all notices), "n:&lt;platform&gt;", "&lt;kind&gt;:&lt;platform&gt;:&lt;value&gt;",
/// "&lt;group&gt;-&lt;kind&gt;:&lt;platform&gt;:&lt;group value&gt;|&lt;value&gt;" and "days" (days seen).
/// </summary>
public sealed class Background(Func<long, long> count)
{
    /// <summary>Counts by their names (as tests and tools write them).</summary>
    public Background(IReadOnlyDictionary<string, long> counts) : this(ByKey(counts)) { }

    private static Func<long, long> ByKey(IReadOnlyDictionary<string, long> counts)
    {
        var byKey = counts.ToDictionary(c => CountKey.Of(c.Key), c => c.Value);
        return key => byKey.GetValueOrDefault(key);
    }

    /// <summary>The count of all notices, and of the days they were seen on.</summary>
    public static readonly long Notices = CountKey.Of("n"), Days = CountKey.Of("days");

    public long Count(long key) => count(key);

    /// <summary>-ln of the (smoothed) share of notices on the platform that have this value.</summary>
    public double Rarity(string kind, Platform platform, string value)
    {
        string p = WireNames<Platform>.Of(platform);
        return -Math.Log((Count(CountKey.Of($"{kind}:{p}:{value}")) + 1.0) / (Count(CountKey.Of($"n:{p}")) + 10.0));
    }

    /// <summary>
    /// -ln of the share of a claimant group's notices on the platform that have this value, the group being one claimant
    /// (<paramref name="group"/> "claimant"), one spelling of a name ("fuzzy") or one name pattern ("pattern"): a rights
    /// holder that always names its own catalogue and cites copyright gains nothing from sharing those with itself, nor
    /// two rights holders of one name pattern that both name the same catalogue.
    /// </summary>
    public double RarityGiven(string group, string groupValue, string kind, Platform platform, string value)
    {
        string p = WireNames<Platform>.Of(platform);
        return -Math.Log((Count(CountKey.Of($"{group}-{kind}:{p}:{groupValue}|{value}")) + 0.5)
            / (Count(CountKey.Of($"{group}:{p}:{groupValue}")) + 1.0));
    }

    /// <summary>Notices a day on a platform up to which the link thresholds hold as they are (the scale they were calibrated at).</summary>
    public const double CalibratedDailyNotices = 50;

    /// <summary>The share of the log of a platform's volume over the calibrated scale that its thresholds rise by.</summary>
    public const double CrowdingShare = 0.5;

    /// <summary>
    /// How much more evidence a link needs on a busy platform: the chance that some notice within a window shares a
    /// report's values grows with how many notices the platform carries in that window, so beyond the calibrated scale
    /// the thresholds rise with the log of the platform's daily notices over that scale (0 up to it). By half the log:
    /// a report meets at most the nearest few reports per key, so its comparisons grow more slowly than the volume (at
    /// 4.4 times the benchmark's rates, the full log kept 63 % of campaigns under randomised names, half of it 78 %, with
    /// false campaigns 0.14 and 0.42 per 10,000 reports).
    /// </summary>
    public double Crowding(Platform platform)
    {
        double daily = Count(CountKey.Of($"n:{WireNames<Platform>.Of(platform)}")) / (double)Math.Max(1, Count(Days));
        return Math.Max(0, CrowdingShare * Math.Log(daily / CalibratedDailyNotices));
    }

    /// <summary>Keys whose counts a profile's evidence needs: those it counts in, and the number of days seen.</summary>
    public static IEnumerable<long> KeysFor(NoticeProfile p) => CountedKeys(p.Platform, p.PolicyKey, p.ClaimantKeys, p.Domain).Append(Days);

    /// <summary>Keys a report adds one to, by its platform, the policy it cites, its claimant and claimed-original domain.</summary>
    public static IEnumerable<long> CountedKeys(Platform on, string? policyKey, ClaimantKeys? claimant, string? domain)
    {
        string platform = WireNames<Platform>.Of(on);
        yield return Notices;
        yield return CountKey.Of($"n:{platform}");
        if (policyKey is not null) yield return CountKey.Of($"policy:{platform}:{policyKey}");
        if (claimant is { } c)
        {
            yield return CountKey.Of($"claimant:{platform}:{c.Exact}");
            yield return CountKey.Of($"fuzzy:{platform}:{c.Fuzzy}");
            if (c.Pattern is not null) yield return CountKey.Of($"pattern:{platform}:{c.Pattern}");
            // What a claimant (a spelling, a name pattern) usually cites and names as the original, to weigh those given it.
            foreach (var (group, value) in c.Groups())
            {
                if (domain is not null) yield return CountKey.Of($"{group}-domain:{platform}:{value}|{domain}");
                if (policyKey is not null && group == "claimant") yield return CountKey.Of($"{group}-policy:{platform}:{value}|{policyKey}");
            }
        }
        if (domain is not null) yield return CountKey.Of($"domain:{platform}:{domain}");
        // What a policy's notices usually name as the original: a domain shared under a shared policy weighs given it.
        if (domain is not null && policyKey is not null) yield return CountKey.Of($"policy-domain:{platform}:{policyKey}|{domain}");
    }
}

/// <summary>How closely two reports' claimants match: the same claimant, names spelled alike, names of one pattern.</summary>
public enum ClaimantGroup { Claimant, Fuzzy, Pattern, None }

/// <summary>
/// What each value a report's notice can share with another weighs, for that report (indexed by <see cref="ClaimantGroup"/>).
/// A shared claimant weighs its rarity, a spelling alike half a unit less and a name pattern one unit less (a looser match
/// says less). Signals of one source are not independent: when the claimant is the same, the domain and policy weigh by
/// how often that claimant uses them, not by how rare they are overall; when the names only match (a spelling, a
/// pattern), the domain weighs by how often claimants of that name use it (two rights holders named "&lt;word&gt; Holding"
/// that both name one catalogue are not a coincidence in the domain). The policy does not: a campaign under invented
/// names of one pattern is most of its pattern's notices, and would lose its policy.
/// </summary>
public sealed class SignalWeights
{
    private readonly double[] _claimant = new double[3];
    private readonly double[] _domain = new double[4];

    /// <summary>A claimant matched this closely.</summary>
    public double Claimant(ClaimantGroup match) => _claimant[(int)match];
    /// <summary>The domain, given how closely the claimants matched (<see cref="ClaimantGroup.None"/>: weighed overall).</summary>
    public double Domain(ClaimantGroup match) => _domain[(int)match];
    public double Policy { get; private init; }
    public double PolicyGivenClaimant { get; private init; }
    /// <summary>The domain among the notices that cite the same policy on the platform (when nothing of the claimant matches).</summary>
    public double DomainGivenPolicy { get; private init; }
    public double Crowding { get; private init; }

    public static SignalWeights Of(NoticeProfile p, Background background)
    {
        var platform = p.Platform;
        var w = new SignalWeights
        {
            Policy = p.PolicyKey is null ? 0 : background.Rarity("policy", platform, p.PolicyKey),
            PolicyGivenClaimant = p.PolicyKey is null || p.ClaimantKeys is null ? 0
                : background.RarityGiven("claimant", p.ClaimantKeys.Exact, "policy", platform, p.PolicyKey),
            Crowding = background.Crowding(platform),
            DomainGivenPolicy = p.PolicyKey is null || p.Domain is null ? 0 : background.RarityGiven("policy", p.PolicyKey, "domain", platform, p.Domain),
        };
        if (p.Domain is not null) w._domain[(int)ClaimantGroup.None] = background.Rarity("domain", platform, p.Domain);
        if (p.ClaimantKeys is { } c)
            foreach (var (kind, value) in c.Groups())
            {
                var group = kind switch { "claimant" => ClaimantGroup.Claimant, "fuzzy" => ClaimantGroup.Fuzzy, _ => ClaimantGroup.Pattern };
                w._claimant[(int)group] = background.Rarity(kind, platform, value) - group switch { ClaimantGroup.Fuzzy => 0.5, ClaimantGroup.Pattern => 1, _ => 0 };
                if (p.Domain is not null) w._domain[(int)group] = background.RarityGiven(kind, value, "domain", platform, p.Domain);
            }
        return w;
    }
}

/// <summary>What two reports' notices share, apart from time, and how improbable that is by chance.</summary>
public sealed record PairEvidence(double TextSimilarity, string? Claimant, bool Domain, bool Policy, bool Platform, bool SubjectType, double Weight, int Distinctive, int Types)
{
    /// <summary>
    /// Texts at least this similar (Jaccard of 5-shingles) share their wording: a signal, weighing more the more alike
    /// they are. One copy of a notice with a quarter to a third of its words edited is about 0.4 alike to another.
    /// </summary>
    public const double TextThreshold = 0.35;

    /// <summary>Texts at least this similar are near-identical copies (how an analyst is told of it).</summary>
    public const double NearIdentical = 0.5;

    /// <summary>Nothing in common, or nothing distinctive (then neither weighed nor counted: such a pair never links).</summary>
    public static readonly PairEvidence None = new(0, null, false, false, false, false, 0, 0, 0);
}

/// <summary>
/// Decides whether two takedown reports are linked: their notices share at least two kinds of signal, at least one of
/// them distinctive (near-identical text, claimant, claimed-original domain), weighted by how rare each shared value is
/// for the platform and policy, and the sum is high enough for how far apart in time they are (1 hour, 24 hours, 7 days).
/// </summary>
public static class Linking
{
    public static readonly (TimeSpan Window, double Threshold)[] Windows =
    [
        (TimeSpan.FromHours(1), 6.5),
        (TimeSpan.FromHours(24), 9),
        (TimeSpan.FromDays(7), 11.5),
    ];

    public static TimeSpan LongestWindow => Windows[^1].Window;

    private const double AgreeingContext = 0.5;

    private const double FullTextShingles = 150;

    /// <summary>Texts as similar as the threshold weigh this much, each 0.1 of similarity above it one more (full length).</summary>
    private const double TextWeightAtThreshold = 2.5, TextWeightPerSimilarity = 10;

    private static readonly double MaxTextWeight = TextWeightAtThreshold + TextWeightPerSimilarity * (1 - PairEvidence.TextThreshold);

    /// <summary>
    /// Below this MinHash estimate the exact similarity is not computed: with 128 minimums, a pair at the text threshold
    /// (0.35) estimates 0.15 lower (3.5 standard deviations) about twice in ten thousand.
    /// </summary>
    private const double EstimateFloor = PairEvidence.TextThreshold - 0.15;

    public static PairEvidence Evidence(NoticeProfile a, NoticeProfile b, Func<NoticeProfile, ulong[]> shingles, Background background) =>
        Evidence(a, b, shingles, SignalWeights.Of(a, background));

    /// <summary>The same, with the weights of <paramref name="a"/>'s signals worked out beforehand (<see cref="SignalWeights.Of"/>).</summary>
    public static PairEvidence Evidence(NoticeProfile a, NoticeProfile b, Func<NoticeProfile, ulong[]> shingles, SignalWeights weightsOfA)
    {
        var t = Weigh(a, b, shingles, weightsOfA, gap: null);
        return t.Distinctive == 0 ? PairEvidence.None with { TextSimilarity = t.Similarity }
            : new PairEvidence(t.Similarity, t.Claimant, t.Domain, t.Policy, t.Platform, t.SubjectType, t.Weight, t.Distinctive, t.Types);
    }

    /// <summary>
    /// Whether two reports this far apart in time link: the same decision as <see cref="Links(PairEvidence, TimeSpan)"/> on
    /// their <see cref="Evidence"/>, for less work. The texts are compared exactly only when their similarity can decide it:
    /// not when the other signals link the pair already, nor when even identical texts would leave it short, nor when the
    /// MinHash estimate is far below the similarity it would take.
    /// </summary>
    /// <param name="weightsOfA">The weights of <paramref name="a"/>'s signals (<see cref="SignalWeights.Of"/>), worked out once for all its candidates.</param>
    public static bool Links(NoticeProfile a, NoticeProfile b, Func<NoticeProfile, ulong[]> shingles, SignalWeights weightsOfA, TimeSpan gap)
    {
        var t = Weigh(a, b, shingles, weightsOfA, gap.Duration());
        return Reaches(t.Weight, t.Distinctive, t.Types, gap);
    }

    /// <summary>
    /// Whether two reports this far apart in time link, or nearly: null unless their evidence comes within
    /// <paramref name="slack"/> of the window's threshold, with at least two kinds of signal and one distinctive; else
    /// whether it links, and whether their texts count among its signals. As for a link, the texts are compared only when
    /// their similarity can decide that (a pair that links without them is not told to share them).
    /// </summary>
    public static (bool Links, bool SharesText)? Nearly(NoticeProfile a, NoticeProfile b, Func<NoticeProfile, ulong[]> shingles, SignalWeights weightsOfA,
        TimeSpan gap, double slack)
    {
        var t = Weigh(a, b, shingles, weightsOfA, gap.Duration(), slack);
        return Reaches(t.Weight + slack, t.Distinctive, t.Types, gap) ? (Reaches(t.Weight, t.Distinctive, t.Types, gap), t.Text) : null;
    }

    /// <summary>What <see cref="PairEvidence"/> holds, as a value: weighed for every candidate, kept for few.</summary>
    private readonly record struct Tally(
        double Similarity, string? Claimant, bool Domain, bool Policy, bool Platform, bool SubjectType, double Weight, int Distinctive, int Types, bool Text = false);

    /// <summary>The link threshold for a gap in time; null beyond the longest window.</summary>
    private static double? ThresholdFor(TimeSpan gap)
    {
        foreach (var (window, threshold) in Windows)
            if (gap <= window) return threshold;
        return null;
    }

    private static Tally Weigh(NoticeProfile a, NoticeProfile b, Func<NoticeProfile, ulong[]> shingles, SignalWeights w, TimeSpan? gap, double slack = 0)
    {
        if (a.Id == b.Id || (a.IncidentId is not null && a.IncidentId == b.IncidentId)) return default; // one takedown, reported twice
        double weight = 0;
        int distinctive = 0, types = 0;

        string? claimant = null;
        var group = ClaimantGroup.None;
        if (a.ClaimantKeys is { } ca && b.ClaimantKeys is { } cb)
        {
            if (ca.Exact == cb.Exact) (claimant, group) = ("same claimant", ClaimantGroup.Claimant);
            else if (ca.Fuzzy.Length > 0 && ca.Fuzzy == cb.Fuzzy) (claimant, group) = ("claimant names spelled alike", ClaimantGroup.Fuzzy);
            else if (ca.Pattern is not null && ca.Pattern == cb.Pattern) (claimant, group) = ("claimant names of one pattern", ClaimantGroup.Pattern);
            if (group != ClaimantGroup.None)
            {
                weight += w.Claimant(group);
                distinctive++;
                types++;
            }
        }
        bool policy = a.PolicyKey is not null && a.PolicyKey == b.PolicyKey && a.Platform == b.Platform;
        bool domain = a.Domain is not null && a.Domain == b.Domain;
        if (domain)
        {
            // The domain and the policy together are as rare as the policy and, among its notices, the domain: a rights
            // holders' catalogue that most copyright notices name adds little to a shared copyright policy.
            weight += group == ClaimantGroup.None && policy ? w.DomainGivenPolicy : w.Domain(group);
            distinctive++;
            types++;
        }

        double estimate = a.SignatureValues() is { } siga && b.SignatureValues() is { } sigb ? MinHash.Similarity(siga, sigb) : 0;
        // Nothing distinctive in common, nor texts that could be: the pair cannot link, and is not weighed further.
        if (distinctive == 0 && estimate < EstimateFloor) return new Tally { Similarity = estimate };

        if (policy)
        {
            weight += group == ClaimantGroup.Claimant ? w.PolicyGivenClaimant : w.Policy;
            types++;
        }
        // Platform and kind of target agree between most candidates (blocking finds them within a platform's notices):
        // they count as signals, with a small fixed weight, or they would lift every pair over the threshold.
        bool platform = a.Platform == b.Platform;
        if (platform)
        {
            weight += AgreeingContext;
            types++;
        }
        bool subject = a.SubjectType == b.SubjectType;
        if (subject)
        {
            weight += AgreeingContext;
            types++;
        }
        weight -= w.Crowding;

        // The texts last, the costliest to compare: a similarity whose estimate from the signatures is under EstimateFloor is
        // not computed; for a known gap, nor is one that cannot change whether the pair links.
        double similarity = estimate;
        double floor = EstimateFloor;
        if (gap is { } g)
        {
            if (ThresholdFor(g) is not { } linkThreshold) return new Tally { Similarity = estimate };
            double threshold = linkThreshold - slack;
            if (Reaches(weight, distinctive, types, g) || weight + MaxTextWeight < threshold) floor = double.PositiveInfinity;
            // The least similarity whose weight reaches the threshold, less the margin the floor keeps below the text threshold.
            else floor = Math.Max(floor, PairEvidence.TextThreshold + Math.Max(0, threshold - weight - TextWeightAtThreshold) / TextWeightPerSimilarity
                                          - (PairEvidence.TextThreshold - EstimateFloor));
        }
        bool text = false;
        if (estimate >= floor)
        {
            var sa = shingles(a);
            var sb = shingles(b);
            similarity = NoticeText.Jaccard(sa, sb);
            if (similarity >= PairEvidence.TextThreshold)
            {
                // A short text (a template line with a title in it) matches by chance far more often than a paragraph:
                // its weight grows with its length, full from about 150 characters.
                double length = Math.Min(1, Math.Min(sa.Length, sb.Length) / FullTextShingles);
                weight += (TextWeightAtThreshold + TextWeightPerSimilarity * (similarity - PairEvidence.TextThreshold)) * length;
                text = true;
                distinctive++;
                types++;
            }
        }
        if (distinctive == 0) return new Tally { Similarity = similarity };
        return new Tally(similarity, claimant, domain, policy, platform, subject, weight, distinctive, types, text);
    }

    /// <summary>Whether evidence of this strength links two reports this far apart in time.</summary>
    public static bool Links(PairEvidence e, TimeSpan gap) => Reaches(e.Weight, e.Distinctive, e.Types, gap);

    private static bool Reaches(double weight, int distinctive, int types, TimeSpan gap) =>
        distinctive >= 1 && types >= 2 && ThresholdFor(gap.Duration()) is { } threshold && weight >= threshold;

    /// <summary>How many of the <see cref="Windows"/>, from the shortest, this evidence links two reports in (0: none).</summary>
    public static int WindowsReached(PairEvidence e)
    {
        if (e.Distinctive < 1 || e.Types < 2) return 0;
        int reached = 0;
        // Links takes the first window the gap falls in: once the evidence falls short of one, a wider one cannot count.
        while (reached < Windows.Length && e.Weight >= Windows[reached].Threshold) reached++;
        return reached;
    }

    /// <summary>The longest gap in time at which this evidence links two reports; null if it links none.</summary>
    public static TimeSpan? LongestGap(PairEvidence e) => WindowsReached(e) is > 0 and var reached ? Windows[reached - 1].Window : null;

    /// <summary>The signals of a set of links, in words, most frequent first.</summary>
    public static IReadOnlyList<string> Describe(IEnumerable<PairEvidence> links)
    {
        var counts = new Dictionary<string, int>();
        void Add(string s) => counts[s] = counts.GetValueOrDefault(s) + 1;
        foreach (var e in links)
        {
            if (e.TextSimilarity >= PairEvidence.NearIdentical) Add("near-identical notice text");
            else if (e.TextSimilarity >= PairEvidence.TextThreshold) Add("similar notice text");
            if (e.Claimant is not null) Add(e.Claimant);
            if (e.Domain) Add("same claimed original (domain)");
            if (e.Policy) Add("same policy cited");
            if (e.SubjectType) Add("same kind of target");
        }
        return counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();
    }
}

/// <summary>
/// Whether a cluster's reports are closer in time than chance explains: how closely its pairs link (each pair counts
/// once for each window, of 1 hour, 24 hours and 7 days, that its gap falls in and its evidence reaches) against the same
/// with each report's time drawn afresh from its platform-and-policy stratum (999 shuffles). Counting windows, not only
/// links, tells seven copies within a day from seven within a week: strong evidence links at any gap up to 7 days, and
/// a stratum whose notices bunch into a few weeks gives seven draws within 7 days now and then. On null data a cluster
/// is significant at about the alpha rate, never by construction.
/// </summary>
public static class ClusterSignificance
{
    public const int Shuffles = 999;

    /// <param name="pairs">Every pair of members with its evidence (time aside).</param>
    /// <param name="drawTime">Draws a time for a member from its stratum's background.</param>
    /// <param name="alpha">
    /// Shuffling stops as soon as the p-value is sure to exceed this, and the least value it could still take is returned
    /// (above <paramref name="alpha"/>): a decision at <paramref name="alpha"/> is the same as with every shuffle, for less work.
    /// </param>
    public static double PValue(IReadOnlyList<NoticeProfile> members, IReadOnlyList<(int A, int B, PairEvidence Evidence)> pairs,
        Func<NoticeProfile, Random, DateTimeOffset> drawTime, int seed, double alpha = 1)
    {
        // Each pair that can link at all, with how many windows its evidence reaches (from the shortest: they are nested).
        var candidates = pairs.Select(p => (p.A, p.B, Reach: Linking.WindowsReached(p.Evidence)))
            .Where(p => p.Reach > 0).ToArray();
        var windows = Linking.Windows.Select(w => w.Window.Ticks).ToArray();
        int Closeness(long gap, int reach)
        {
            int n = 0;
            for (int k = reach - 1; k >= 0 && gap <= windows[k]; k--) n++;
            return n;
        }
        int observed = 0;
        foreach (var (a, b, reach) in candidates) observed += Closeness(Math.Abs((members[a].OccurredAt - members[b].OccurredAt).Ticks), reach);
        var random = new Random(seed);
        var times = new long[members.Count];
        int atLeast = 0;
        for (int s = 0; s < Shuffles; s++)
        {
            for (int i = 0; i < members.Count; i++) times[i] = drawTime(members[i], random).UtcTicks;
            int closeness = 0;
            foreach (var (a, b, reach) in candidates) closeness += Closeness(Math.Abs(times[a] - times[b]), reach);
            if (closeness >= observed && (++atLeast + 1.0) / (Shuffles + 1.0) > alpha) return (atLeast + 1.0) / (Shuffles + 1.0);
        }
        return (atLeast + 1.0) / (Shuffles + 1.0);
    }
}
