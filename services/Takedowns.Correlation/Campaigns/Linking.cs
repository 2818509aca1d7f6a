using Takedowns.Contracts;
using CampaignSignal = Takedowns.Contracts.Analysis.CampaignSignal;

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
            foreach (var pattern in c.Patterns) yield return CountKey.Of($"pattern:{platform}:{pattern}");
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
    private readonly Dictionary<string, (double Claimant, double Domain)> _patterns = new(StringComparer.Ordinal);

    /// <summary>A claimant matched this closely (for a name pattern, the most any of the report's patterns weighs).</summary>
    public double Claimant(ClaimantGroup match) => _claimant[(int)match];
    /// <summary>The domain, given how closely the claimants matched (<see cref="ClaimantGroup.None"/>: weighed overall).</summary>
    public double Domain(ClaimantGroup match) => _domain[(int)match];
    /// <summary>A name pattern of the report's claimant shared, and the domain given that pattern.</summary>
    public (double Claimant, double Domain) Pattern(string pattern) => _patterns.GetValueOrDefault(pattern);
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
                double claimant = background.Rarity(kind, platform, value) - group switch { ClaimantGroup.Fuzzy => 0.5, ClaimantGroup.Pattern => 1, _ => 0 };
                double domain = p.Domain is null ? 0 : background.RarityGiven(kind, value, "domain", platform, p.Domain);
                if (group == ClaimantGroup.Pattern)
                {
                    w._patterns[value] = (claimant, domain);
                    if (claimant < w._claimant[(int)group] && w._patterns.Count > 1) continue;
                }
                w._claimant[(int)group] = claimant;
                w._domain[(int)group] = domain;
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

        string? claimant = null, pattern = null;
        var group = ClaimantGroup.None;
        if (a.ClaimantKeys is { } ca && b.ClaimantKeys is { } cb)
        {
            if (ca.Exact == cb.Exact) (claimant, group) = ("same claimant", ClaimantGroup.Claimant);
            else if (ca.Fuzzy.Length > 0 && ca.Fuzzy == cb.Fuzzy) (claimant, group) = ("claimant names spelled alike", ClaimantGroup.Fuzzy);
            else if (SharedPattern(ca, cb, w) is { } shared) (claimant, group, pattern) = ("claimant names of one pattern", ClaimantGroup.Pattern, shared);
            if (group != ClaimantGroup.None)
            {
                weight += pattern is null ? w.Claimant(group) : w.Pattern(pattern).Claimant;
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
            weight += group == ClaimantGroup.None && policy ? w.DomainGivenPolicy : pattern is null ? w.Domain(group) : w.Pattern(pattern).Domain;
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

    /// <summary>Of the name patterns two claimants share, the one that weighs most for the first; null if none.</summary>
    private static string? SharedPattern(ClaimantKeys a, ClaimantKeys b, SignalWeights w)
    {
        string? best = null;
        foreach (var p in a.Patterns)
            if (b.Patterns.Contains(p) && (best is null || w.Pattern(p).Claimant > w.Pattern(best).Claimant)) best = p;
        return best;
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
    public static IReadOnlyList<string> Describe(IEnumerable<PairEvidence> links) =>
        Count(links).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();

    /// <summary>
    /// The signals of <see cref="Describe"/>, in its order, each with the links it is in and, for a value that can be
    /// counted, how common the members' most frequent value of it is among the platform's notices (as the link weights
    /// read it: -ln of that share is the value's weight).
    /// </summary>
    public static IReadOnlyList<CampaignSignal> Measure(IReadOnlyList<PairEvidence> links, IReadOnlyList<NoticeProfile> members, Background background)
    {
        var counts = Count(links);
        double? Share(string kind, Func<NoticeProfile, string?> value)
        {
            var modal = members.Select(m => (m.Platform, Value: value(m))).Where(v => !string.IsNullOrEmpty(v.Value))
                .GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Value, StringComparer.Ordinal).FirstOrDefault();
            return modal is null ? null : Math.Round(Math.Exp(-background.Rarity(kind, modal.Key.Platform, modal.Key.Value!)), 6);
        }
        return Describe(links).Select(s => new CampaignSignal(s, counts[s], links.Count, s switch
        {
            "same claimant" => Share("claimant", m => m.ClaimantKeys?.Exact),
            "claimant names spelled alike" => Share("fuzzy", m => m.ClaimantKeys?.Fuzzy),
            "same claimed original (domain)" => Share("domain", m => m.Domain),
            "same policy cited" => Share("policy", m => m.PolicyKey),
            _ => null,
        })).ToList();
    }

    private static Dictionary<string, int> Count(IEnumerable<PairEvidence> links)
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
        return counts;
    }
}


/// <summary>
/// Whether a cluster is more than chance and more than its senders' usual volume: two tests with analytic tails, so a
/// p-value of 1e-3 is told from one of 1e-9. <see cref="Rise"/> asks whether its family (the notices that share its
/// claimants or the bands of its texts) sent more in the cluster's last days than its own history says, the history
/// being days no link looked at; <c>Bunching</c>
/// whether its reports are closer in time than reports drawn from their strata would be, given the links that formed it.
/// </summary>
public static class ClusterSignificance
{
    /// <summary>
    /// When a report happened, as an interval: its time, or the whole day for a report known only by its date (placed at
    /// noon, UTC, to the tick: two of them would otherwise look simultaneous).
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) Interval(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        if (utc.TimeOfDay != TimeSpan.FromHours(12)) return (utc, utc);
        var day = new DateTimeOffset(utc.Date, TimeSpan.Zero);
        return (day, day.AddDays(1));
    }

    /// <summary>
    /// The chance that reports drawn at random from their strata fall within as short a time as the members do: each
    /// member's time is drawn from its stratum (a day in proportion to its notices, the time of day uniform); all fall
    /// within <c>s</c> when one of them is the earliest and the others fall in the <c>s</c> after it, so the chance is
    /// the sum over members of that, integrated over the earliest one's time. <c>s</c> is measured from the earliest a
    /// member can have happened to the latest (a whole day for one known by its date).
    /// </summary>
    /// <param name="members">Each member's time and the name of the stratum it is drawn from.</param>
    /// <param name="strata">Notices per day in each stratum named.</param>
    public static double Bunching(IReadOnlyList<((DateTimeOffset From, DateTimeOffset To) When, string Stratum)> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<DateOnly, long>> strata) =>
        members.Count < 2 ? 1 : Math.Min(1, Within(members, strata, Span(members)));

    /// <summary>
    /// The same, given what formed the cluster. Its members are a cluster only because their links held, and a link holds
    /// only within the window its evidence reaches, so members drawn at random form it whenever each falls within its
    /// link's window of the one it links to: their closeness in time is evidence only beyond that. The p-value is the
    /// chance of falling within the members' span given that the cluster formed, at most the chance of the span over the
    /// chance of an event that always forms it (so it errs large): the members linked along the tree of their strongest
    /// links (<paramref name="tree"/>: for each member but the first, the window of its link towards the first), each
    /// within its window of the one it hangs from; or, when every pair links within <paramref name="everyPairWithin"/>,
    /// all following each other within that window, a chain whose chance is m!/2^(m-1) times that of a tree with such
    /// links where times are spread evenly. A report known by its date widens every window by its day.
    /// </summary>
    /// <param name="tree">Per member (by index), the window of the link joining it towards the first member (ignored for the first).</param>
    /// <param name="everyPairWithin">The shortest window any pair of members links in, when every pair links; else null.</param>
    public static double Bunching(IReadOnlyList<((DateTimeOffset From, DateTimeOffset To) When, string Stratum)> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<DateOnly, long>> strata, IReadOnlyList<TimeSpan> tree, TimeSpan? everyPairWithin = null)
    {
        if (members.Count < 2) return 1;
        double widest = members.Max(m => (m.When.To - m.When.From).TotalDays);
        double formed = Linked(members, strata, tree.Select(w => w.TotalDays + widest).ToList());
        if (everyPairWithin is { } pairs)
        {
            double chain = Linked(members, strata, members.Select(_ => pairs.TotalDays + widest).ToList());
            for (int k = 2; k <= members.Count; k++) chain *= k / 2.0; // m! / 2^(m-1)
            formed = Math.Max(formed, chain);
        }
        return formed <= 0 ? 1 : Math.Min(1, Within(members, strata, Span(members)) / formed);
    }

    /// <summary>
    /// The chance that members drawn from their strata fall each within its window (days) of the first: around the first
    /// member's time, every other's stratum holds what a stretch of twice its window holds (for times spread evenly on that
    /// scale, the chance of a tree of links of these windows hanging from the first, whatever its shape).
    /// </summary>
    private static double Linked(IReadOnlyList<((DateTimeOffset From, DateTimeOffset To) When, string Stratum)> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<DateOnly, long>> strata, IReadOnlyList<double> windows)
    {
        var names = members.Select(m => m.Stratum).Distinct().ToList();
        var days = names.Select(n => strata.GetValueOrDefault(n)).ToList();
        if (days.Any(d => d is null || d.Values.Where(v => v > 0).Sum() <= 0)) return 0;
        int first = days.Min(d => d!.Where(x => x.Value > 0).Min(x => x.Key.DayNumber));
        int length = days.Max(d => d!.Where(x => x.Value > 0).Max(x => x.Key.DayNumber)) - first + 1;
        var (shares, prefixes) = Cumulative(days!, first, length);
        var of = members.Select(m => names.IndexOf(m.Stratum)).ToArray();
        double Below(int g, double x) => x <= 0 ? 0 : x >= length ? 1 : prefixes[g][(int)x] + shares[g][(int)x] * (x - Math.Floor(x));
        // Windows around a time cross midnight at many offsets: each day is integrated in quarters.
        double chance = 0;
        int root = of[0];
        for (int d = 0; d < length; d++)
        {
            if (shares[root][d] == 0) continue;
            for (int q = 0; q < 4; q++)
                foreach (var (x, w) in Nodes)
                {
                    double t = d + (q + x) / 4, product = 1;
                    for (int j = 1; j < members.Count && product > 0; j++)
                        product *= Math.Clamp(Below(of[j], t + windows[j]) - Below(of[j], t - windows[j]), 0, 1);
                    chance += w / 4 * shares[root][d] * product;
                }
        }
        return chance;
    }

    private static (double[][] Shares, double[][] Prefixes) Cumulative(IReadOnlyList<IReadOnlyDictionary<DateOnly, long>> strata, int first, int length)
    {
        var shares = new double[strata.Count][];
        var prefixes = new double[strata.Count][];
        for (int g = 0; g < strata.Count; g++)
        {
            double total = strata[g].Values.Where(v => v > 0).Sum();
            var share = shares[g] = new double[length];
            foreach (var (day, n) in strata[g])
                if (n > 0) share[day.DayNumber - first] = n / total;
            var prefix = prefixes[g] = new double[length + 1];
            for (int d = 0; d < length; d++) prefix[d + 1] = prefix[d] + share[d];
        }
        return (shares, prefixes);
    }

    private static double Span(IReadOnlyList<((DateTimeOffset From, DateTimeOffset To) When, string Stratum)> members) =>
        (members.Max(m => m.When.To) - members.Min(m => m.When.From)).TotalDays;

    // Gauss-Legendre nodes and weights on [0, 1] (8 points): the mass of a stretch is linear in its start between the
    // points where its start or end crosses midnight, so each piece of a day is integrated as a smooth polynomial.
    private static readonly (double X, double W)[] Nodes = new (double X, double W)[]
    {
        (-0.9602898564975363, 0.1012285362903763), (-0.7966664774136267, 0.2223810344533745),
        (-0.5255324099163290, 0.3137066458778873), (-0.1834346424956498, 0.3626837833783620),
        (0.1834346424956498, 0.3626837833783620), (0.5255324099163290, 0.3137066458778873),
        (0.7966664774136267, 0.2223810344533745), (0.9602898564975363, 0.1012285362903763),
    }.Select(n => ((n.X + 1) / 2, n.W / 2)).ToArray();

    /// <summary>The chance that the members, each drawn from its stratum, all fall within <paramref name="span"/> days.</summary>
    private static double Within(IReadOnlyList<((DateTimeOffset From, DateTimeOffset To) When, string Stratum)> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<DateOnly, long>> strata, double span)
    {
        var groups = members.GroupBy(m => m.Stratum).Select(g => (Days: strata.GetValueOrDefault(g.Key), Count: g.Count())).ToList();
        if (groups.Any(g => g.Days is null || g.Days.Values.Where(v => v > 0).Sum() <= 0)) return 1;
        int first = groups.Min(g => g.Days!.Where(d => d.Value > 0).Min(d => d.Key.DayNumber));
        int length = groups.Max(g => g.Days!.Where(d => d.Value > 0).Max(d => d.Key.DayNumber)) - first + 1;
        var (shares, prefixes) = Cumulative(groups.Select(g => g.Days!).ToList(), first, length);
        double Below(int g, double x) => x <= 0 ? 0 : x >= length ? 1 : prefixes[g][(int)x] + shares[g][(int)x] * (x - Math.Floor(x));
        double Mass(int g, double t) => Math.Clamp(Below(g, t + span) - Below(g, t), 0, 1);
        // Within a day, the stretch's end crosses midnight once, at this offset.
        double cross = span - Math.Floor(span) is var frac && frac > 0 ? 1 - frac : 0;
        var pieces = cross > 0 ? new[] { (0.0, cross), (cross, 1.0) } : new[] { (0.0, 1.0) };
        double chance = 0;
        for (int d = 0; d < length; d++)
            foreach (var (from, to) in pieces)
                foreach (var (x, w) in Nodes)
                {
                    double t = d + from + (to - from) * x;
                    for (int g = 0; g < groups.Count; g++)
                    {
                        if (shares[g][d] == 0) continue;
                        double others = 1;
                        for (int h = 0; h < groups.Count && others > 0; h++)
                            others *= Math.Pow(Mass(h, t), groups[h].Count - (h == g ? 1 : 0));
                        chance += (to - from) * w * groups[g].Count * shares[g][d] * others;
                    }
                }
        return chance;
    }

    /// <summary>
    /// Whether the cluster is a rise of its family, against the family's own rate (a steady sender is not a campaign because
    /// it sends a lot). The family's notices are looked at over a span of <paramref name="baselineDays"/> days before the
    /// longest of <paramref name="windows"/> and that window; each window ends on the newest member's day. The newest
    /// member places the windows and is in them by construction, so it is left out (Palm: given a notice at a time, the
    /// others are as they would be without it). With no change in the family's share of all notices, each notice in the
    /// span is the family's with the same chance, so given how many the family has (<c>n</c>, the newest left out) they
    /// are <c>n</c> of the span's other notices taken at random, without replacement (the conditional test, Fisher's: no
    /// rate estimated), and the counts in the nested windows are multivariate hypergeometric. Each window's tail is
    /// Hypergeometric(the span's other notices, the window's, <c>n</c>) at its members but the newest, and the p-value of
    /// the smallest tail is exact: the chance, under that draw, that some window's tail is as small
    /// (<see cref="AnyWindowAsSmall"/>), not three times the smallest. Drawn with replacement instead (the binomial), the
    /// members' own notices would count as room for yet more of them, which on a platform with few notices is most of a
    /// window's room. Members are counted, at most the family's notices in a window, and the span adds up the counts
    /// of each of the family's keys, at least its notices (a notice with two keys counting twice), capped at all the
    /// notices before the week: both only raise the p-value. A window with no notices in the span before it is not
    /// looked at: a first sender and a first campaign are not told apart.
    /// <para>
    /// That is exact for one family given its newest notice. But the family is the cluster's own, and a cluster is tested
    /// only once its links have gathered its members: among all the notices that might have placed a window, only those
    /// whose family already bunched are tested, and a quiet family tested because two of its notices linked holds one in
    /// the window by selection (on null scenarios, 27 % of such clusters fell at p ≤ 0.05 without a correction). So the
    /// correction runs over every notice that could have placed a window and been tested with it: a window ends on its
    /// newest member's day, so those are the notices of that day, not of the whole window (a notice three days back placed
    /// its own windows on its own day, and is counted among that day's). By Campbell's theorem the expected number of that
    /// day's notices whose family's p-value is at most <c>x</c> is at most <c>x</c> times the expected number of notices
    /// that day, so the p-value is multiplied by that number (<see cref="WindowsPlacedOn"/>).
    /// </para>
    /// </summary>
    /// <param name="memberDays">The members' days.</param>
    /// <param name="familyOn">The family's count on a day (its keys' counts added up).</param>
    /// <param name="noticesOn">All notices counted on a day.</param>
    public static double Rise(IReadOnlyList<DateOnly> memberDays, Func<DateOnly, long> familyOn, Func<DateOnly, long> noticesOn,
        IReadOnlyList<int> windows, int baselineDays)
    {
        if (memberDays.Count == 0 || windows.Count == 0) return 1;
        double one = RiseOfOne(memberDays, familyOn, noticesOn, windows, baselineDays);
        if (one >= 1) return 1;
        return Math.Min(1, one * WindowsPlacedOn(memberDays.Max(), memberDays, noticesOn, baselineDays));
    }

    /// <summary>
    /// The rise's p-value for one family given its newest notice, before the correction for the notices that could have
    /// placed a window (<see cref="Rise"/>): exact under the family's share of all notices holding.
    /// </summary>
    public static double RiseOfOne(IReadOnlyList<DateOnly> memberDays, Func<DateOnly, long> familyOn, Func<DateOnly, long> noticesOn,
        IReadOnlyList<int> windows, int baselineDays)
    {
        if (memberDays.Count == 0 || windows.Count == 0) return 1;
        var newest = memberDays.Max();
        var lengths = windows.Distinct().Order().ToArray();
        // Per day, from the newest back: all notices and the family's.
        int spanDays = lengths[^1] + baselineDays;
        long[] all = new long[spanDays], fam = new long[spanDays];
        for (int d = 0; d < spanDays; d++)
        {
            all[d] = noticesOn(newest.AddDays(-d));
            fam[d] = familyOn(newest.AddDays(-d));
        }
        // Per window: its notices (at least its members), the members in it but the newest, and whether the span holds
        // notices before it.
        var inWindow = new long[lengths.Length];
        var others = new long[lengths.Length];
        var looked = new bool[lengths.Length];
        for (int w = 0; w < lengths.Length; w++)
        {
            var start = newest.AddDays(1 - lengths[w]);
            long k = memberDays.Count(d => d >= start);
            inWindow[w] = Math.Max(all.Take(lengths[w]).Sum(), k); // counts kept apart from the members may lag behind them
            if (w > 0) inWindow[w] = Math.Max(inWindow[w], inWindow[w - 1]);
            others[w] = k - 1;
            looked[w] = all.Skip(lengths[w]).Sum() > 0;
        }
        long before = all.Skip(lengths[^1]).Sum();
        if (!looked.Any(l => l)) return 1;
        // The family's other notices in the span: the members in the longest window but the newest, and its count before
        // it (the keys' counts added up, at most all the notices there).
        long n = others[^1] + Math.Min(fam.Skip(lengths[^1]).Sum(), before);
        // The span's other notices, and each window's (the newest's day holds one fewer).
        long population = inWindow[^1] + before - 1;
        var room = inWindow.Select(v => v - 1).ToArray();
        var tails = Enumerable.Range(0, lengths.Length).Select(w => looked[w] ? HypergeometricTail(population, room[w], n, others[w]) : 1).ToArray();
        double smallest = tails.Min();
        if (smallest >= 1) return 1;
        return Math.Min(1, AnyWindowAsSmall(n, population, room, looked, smallest));
    }

    /// <summary>
    /// The chance that, of <paramref name="n"/> notices taken at random without replacement from
    /// <paramref name="population"/>, some nested window looked at (<paramref name="room"/>: the notices in each,
    /// smallest window first, each holding the one before it) holds so many that its hypergeometric tail is at most
    /// <paramref name="tail"/>. Summed as the chance that the first window to reach its count is each in turn, so that it
    /// is exact far into the tail: in the first window as Hypergeometric(population, its room, n); in a later one, given
    /// the count of the window before it, its further notices as Hypergeometric(what the window before leaves, the room
    /// it adds, the notices left).
    /// </summary>
    public static double AnyWindowAsSmall(long n, long population, IReadOnlyList<long> room, IReadOnlyList<bool> looked, double tail)
    {
        // The least count at which each window's tail is at most the one given (beyond n: never).
        var least = new long[room.Count];
        for (int w = 0; w < room.Count; w++)
        {
            if (!looked[w]) { least[w] = n + 1; continue; }
            long lo = 0, hi = n + 1; // the tail at hi (beyond n) is 0
            while (lo < hi)
            {
                long mid = (lo + hi) / 2;
                if (HypergeometricTail(population, room[w], n, mid) <= tail) hi = mid; else lo = mid + 1;
            }
            least[w] = lo;
        }
        return FirstReached(0, n, 0, 0);

        double FirstReached(int w, long left, long counted, long roomPlaced)
        {
            long rest = population - roomPlaced, added = Math.Clamp(room[w] - roomPlaced, 0, rest);
            long need = least[w] - counted;
            double chance = need > left ? 0 : HypergeometricTail(rest, added, left, need);
            if (w + 1 == room.Count) return chance;
            // Fewer than needed here: the next window may still reach its count. The whole is at least the tail given
            // (the window that gave it reaches its count that often), so terms far under it are left out.
            for (long x = 0; x < Math.Min(need, left + 1); x++)
            {
                double here = HypergeometricPmf(rest, added, left, x);
                if (here > tail * 1e-18) chance += here * FirstReached(w + 1, left - x, counted + x, roomPlaced + added);
            }
            return chance;
        }
    }

    /// <summary>P(X = k) for X ~ Hypergeometric(population, marked, draws): k of the draws marked.</summary>
    public static double HypergeometricPmf(long population, long marked, long draws, long k) =>
        k < Math.Max(0, draws + marked - population) || k > Math.Min(draws, marked) ? 0 : Math.Exp(HypergeometricLogPmf(population, marked, draws, k));

    private static double HypergeometricLogPmf(long population, long marked, long draws, long k) =>
        LogChoose(marked, k) + LogChoose(population - marked, draws - k) - LogChoose(population, draws);

    private static double LogChoose(long n, long k) =>
        MathNet.Numerics.SpecialFunctions.GammaLn(n + 1) - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1) - MathNet.Numerics.SpecialFunctions.GammaLn(n - k + 1);

    /// <summary>
    /// P(X ≥ k) for X ~ Hypergeometric(population, marked, draws), summed term by term in log space: exact in the far
    /// tail (1e-300 and under).
    /// </summary>
    public static double HypergeometricTail(long population, long marked, long draws, long k)
    {
        draws = Math.Min(draws, population);
        long low = Math.Max(0, draws + marked - population), high = Math.Min(draws, marked);
        if (k <= low) return 1;
        if (k > high) return 0;
        // The ratio of the term at x + 1 to the term at x.
        double Ratio(long x) => (marked - x) * (double)(draws - x) / ((x + 1) * (double)(population - marked - draws + x + 1));
        if (k > draws * (double)marked / population)
        {
            // Above the mean the terms fall from k on: add them until they no longer count.
            double term = Math.Exp(HypergeometricLogPmf(population, marked, draws, k)), sum = 0;
            for (long x = k; x <= high && term > 0; x++)
            {
                sum += term;
                if (term < sum * 1e-17) break;
                term *= Ratio(x);
            }
            return Math.Min(1, sum);
        }
        // At or below the mean the tail is large: one less the lower tail, whose terms fall from k - 1 down.
        double below = Math.Exp(HypergeometricLogPmf(population, marked, draws, k - 1)), lower = 0;
        for (long x = k - 1; x >= low && below > 0; x--)
        {
            lower += below;
            if (below < lower * 1e-17) break;
            below /= Ratio(x - 1);
        }
        return Math.Clamp(1 - lower, 0, 1);
    }

    /// <summary>
    /// How many notices could have placed a window ending on <paramref name="day"/>: the day's notices (at least the members
    /// on it), or the mean of the <paramref name="baselineDays"/> days before it when that is more.
    /// </summary>
    public static double WindowsPlacedOn(DateOnly day, IReadOnlyList<DateOnly> memberDays, Func<DateOnly, long> noticesOn, int baselineDays)
    {
        long before = 0;
        for (var d = day.AddDays(-baselineDays); d < day; d = d.AddDays(1)) before += noticesOn(d);
        return Math.Max(Math.Max(noticesOn(day), memberDays.Count(d => d == day)), before / (double)Math.Max(1, baselineDays));
    }

    /// <summary>P(X ≥ k) for X ~ Binomial(n, p), summed term by term in log space: exact in the far tail (1e-300 and under).</summary>
    public static double BinomialTail(long n, long k, double p)
    {
        if (k <= 0 || p >= 1) return 1;
        if (k > n || p <= 0) return 0;
        double logP = Math.Log(p), logQ = Math.Log(1 - p), ratio = p / (1 - p);
        double LogTerm(long x) => MathNet.Numerics.SpecialFunctions.GammaLn(n + 1) - MathNet.Numerics.SpecialFunctions.GammaLn(x + 1)
                                  - MathNet.Numerics.SpecialFunctions.GammaLn(n - x + 1) + x * logP + (n - x) * logQ;
        if (k > n * p)
        {
            // Above the mean the terms fall from k on: add them until they no longer count.
            double term = Math.Exp(LogTerm(k)), sum = 0;
            for (long x = k; x <= n && term > 0; x++)
            {
                sum += term;
                if (term < sum * 1e-17) break;
                term *= (n - x) / (double)(x + 1) * ratio;
            }
            return Math.Min(1, sum);
        }
        // At or below the mean the tail is large: one less the lower tail, whose terms fall from k - 1 down.
        double below = Math.Exp(LogTerm(k - 1)), lower = 0;
        for (long x = k - 1; x >= 0 && below > 0; x--)
        {
            lower += below;
            if (below < lower * 1e-17) break;
            below *= x / (double)(n - x + 1) / ratio;
        }
        return Math.Clamp(1 - lower, 0, 1);
    }
}

/// <summary>
/// Levels for candidates tested one after another, with the false-discovery rate at most q however many are tested:
/// LOND (levels based on the number of discoveries; Javanmard and Montanari 2018). The i-th test's level is
/// q·γ(i)·max(D, 1), D the number of discoveries before it and γ summing to 1 over all i, which keeps the rate under
/// positive dependence (Zrnic, Ramdas and Jordan 2021); with the harmonic correction, q·γ(i)·(D + 1)/H(i), under any
/// dependence. Benjamini-Hochberg would need every candidate's p-value before raising any; a campaign is raised as it
/// happens.
/// </summary>
public static class OnlineDiscovery
{
    /// <summary>γ(i) = 0.0772·ln(max(i, 2)) / (i·e^√ln i): the spending sequence of Javanmard and Montanari, summing to 1.</summary>
    public static double Gamma(long i) => 0.07720838 * Math.Log(Math.Max(i, 2)) / (i * Math.Exp(Math.Sqrt(Math.Log(i))));

    public static double Harmonic(long i)
    {
        if (i <= 64)
        {
            double h = 0;
            for (long j = 1; j <= i; j++) h += 1.0 / j;
            return h;
        }
        return Math.Log(i) + 0.5772156649015329 + 1.0 / (2 * i) - 1.0 / (12.0 * i * i);
    }

    /// <summary>The level of test number <paramref name="test"/> (from 1) after <paramref name="discoveries"/> discoveries.</summary>
    public static double Level(double q, long test, long discoveries, bool anyDependence = false) => anyDependence
        ? q * Gamma(test) * (discoveries + 1) / Harmonic(test)
        : q * Gamma(test) * Math.Max(discoveries, 1);
}
