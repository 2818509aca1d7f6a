using MathNet.Numerics;
using Takedowns.Scenarios;

namespace Takedowns.Benchmarks;

/// <summary>
/// The naive campaign baseline the detector must beat, after the fact over a whole scenario: notices whose word sets
/// (text casefolded, nothing else normalised) have a Jaccard similarity of at least <see cref="Threshold"/>, on the same
/// platform, ground category and policy, are near-duplicates; near-duplicates within <see cref="Window"/> of each other
/// are joined (union-find) into clusters; all near-duplicates over the whole data, whenever they came, make the
/// cluster's text family. A cluster of at least <see cref="MinimumSize"/> reports is raised when its size is improbable
/// (Poisson upper tail below <see cref="Alpha"/>) given its family's own rate: the family's reports outside the
/// cluster's window per 72 hours outside it (with half a report added, so a family seen nowhere else is not certain to be
/// rare), over the cluster's span (at least 72 hours); when less than <see cref="MinimumOutside"/> lies outside the
/// cluster's span (a steady sender's notices chain into one cluster over the whole data), the family's rate over all of it.
/// </summary>
public static class NaiveBaseline
{
    /// <summary>The Jaccard similarity of word sets that makes two notices near-duplicates (<c>--baseline-threshold</c>).</summary>
    public static double Threshold { get; set; } = 0.7;
    public const double Alpha = 1e-8;
    public const int MinimumSize = 3;
    public static readonly TimeSpan Window = TimeSpan.FromHours(72);
    public static readonly TimeSpan MinimumOutside = TimeSpan.FromDays(30);

    public static IReadOnlyList<DetectedCampaign> Detect(Scenario scenario)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var found = new List<DetectedCampaign>();
        double scenarioHours = scenario.Options.Days * 24.0;
        var withText = scenario.Reports.Select((r, i) => (Report: r, Arrival: i)).Where(x => !string.IsNullOrWhiteSpace(x.Report.NoticeText));
        foreach (var block in withText.GroupBy(x => (x.Report.Platform, x.Report.Category, Policy: x.Report.Policy ?? "")))
        {
            var items = block.OrderBy(x => x.Report.OccurredAt).ToList();
            var times = items.Select(x => x.Report.OccurredAt).ToArray();
            // Identical word sets are one text: similar texts are found between distinct sets only.
            var setOf = new int[items.Count];
            var sets = new List<int[]>();
            var setIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var membersOf = new List<List<int>>();
            for (int i = 0; i < items.Count; i++)
            {
                var words = Words(items[i].Report.NoticeText!).Select(w => vocabulary.TryGetValue(w, out int id) ? id : vocabulary[w] = vocabulary.Count).Distinct().Order().ToArray();
                string key = string.Join(',', words);
                if (!setIndex.TryGetValue(key, out int s))
                {
                    setIndex[key] = s = sets.Count;
                    sets.Add(words);
                    membersOf.Add([]);
                }
                setOf[i] = s;
                membersOf[s].Add(i);
            }

            var family = new UnionFind(items.Count);
            var cluster = new UnionFind(items.Count);
            // Reports of one text: consecutive ones within the window are one cluster (in time order, that joins all of them).
            foreach (var members in membersOf)
                for (int k = 1; k < members.Count; k++)
                {
                    family.Union(members[0], members[k]);
                    if (times[members[k]] - times[members[k - 1]] <= Window) cluster.Union(members[k - 1], members[k]);
                }
            foreach (var (a, b) in SimilarSets(sets))
            {
                family.Union(membersOf[a][0], membersOf[b][0]);
                // Each report of one text joined with the nearest in time of the other, when within the window.
                foreach (int i in membersOf[a])
                {
                    var other = membersOf[b];
                    int at = LowerBound(other, times, times[i]);
                    foreach (int j in new[] { at - 1, at })
                        if (j >= 0 && j < other.Count && (times[other[j]] - times[i]).Duration() <= Window) cluster.Union(i, other[j]);
                }
            }

            var familySize = new Dictionary<int, List<int>>();
            for (int i = 0; i < items.Count; i++)
            {
                int f = family.Find(i);
                if (!familySize.TryGetValue(f, out var list)) familySize[f] = list = [];
                list.Add(i);
            }
            foreach (var c in Enumerable.Range(0, items.Count).GroupBy(cluster.Find).Where(g => g.Count() >= MinimumSize))
            {
                var members = c.ToList();
                var first = members.Min(i => times[i]);
                var last = members.Max(i => times[i]);
                double spanHours = Math.Max(Window.TotalHours, (last - first).TotalHours);
                var familyMembers = familySize[family.Find(members[0])];
                int outside = familyMembers.Count(i => times[i] < first || times[i] > last);
                double outsideHours = scenarioHours - spanHours;
                // A cluster that chains over most of the data leaves no outside to measure: the family's whole rate is used.
                double perWindow = outsideHours >= MinimumOutside.TotalHours
                    ? (outside + 0.5) / (outsideHours / Window.TotalHours)
                    : familyMembers.Count / (scenarioHours / Window.TotalHours);
                double expected = perWindow * spanHours / Window.TotalHours;
                double p = SpecialFunctions.GammaLowerRegularized(members.Count, expected);
                if (p < Alpha)
                    found.Add(new DetectedCampaign(members.Select(i => items[i].Report.ExternalId).ToHashSet(), members.Max(i => items[i].Arrival)));
            }
        }
        return found;
    }

    /// <summary>The words of a text, casefolded: runs of letters and digits.</summary>
    public static IEnumerable<string> Words(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            int start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (i > start) yield return text[start..i].ToLowerInvariant();
        }
    }

    public static double Jaccard(int[] a, int[] b)
    {
        int i = 0, j = 0, shared = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { shared++; i++; j++; }
            else if (a[i] < b[j]) i++;
            else j++;
        }
        return a.Length + b.Length == 0 ? 0 : (double)shared / (a.Length + b.Length - shared);
    }

    /// <summary>
    /// Pairs of sets with a Jaccard similarity of at least the threshold, by prefix filtering: with each set's words
    /// ordered rarest first, two such sets share a word among the first |s| - ceil(t |s|) + 1 of each.
    /// </summary>
    private static IEnumerable<(int, int)> SimilarSets(List<int[]> sets)
    {
        var frequency = new Dictionary<int, int>();
        foreach (var s in sets)
            foreach (int w in s) frequency[w] = frequency.GetValueOrDefault(w) + 1;
        var index = new Dictionary<int, List<int>>();
        var seen = new HashSet<int>();
        for (int a = 0; a < sets.Count; a++)
        {
            var ordered = sets[a].OrderBy(w => frequency[w]).ThenBy(w => w).ToArray();
            int prefix = ordered.Length - (int)Math.Ceiling(Threshold * ordered.Length) + 1;
            seen.Clear();
            for (int k = 0; k < Math.Min(prefix, ordered.Length); k++)
            {
                if (!index.TryGetValue(ordered[k], out var list)) index[ordered[k]] = list = [];
                foreach (int b in list)
                    if (seen.Add(b) && Math.Min(sets[a].Length, sets[b].Length) >= Threshold * Math.Max(sets[a].Length, sets[b].Length) &&
                        Jaccard(sets[a], sets[b]) >= Threshold)
                        yield return (a, b);
                list.Add(a);
            }
        }
    }

    private static int LowerBound(List<int> members, DateTimeOffset[] times, DateTimeOffset at)
    {
        int lo = 0, hi = members.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (times[members[mid]] < at) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private sealed class UnionFind(int count)
    {
        private readonly int[] _parent = Enumerable.Range(0, count).ToArray();

        public int Find(int x)
        {
            while (_parent[x] != x) x = _parent[x] = _parent[_parent[x]];
            return x;
        }

        public void Union(int a, int b) => _parent[Find(a)] = Find(b);
    }
}
