using System.Buffers;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Normalises notice texts and claimant names so that copies of one text compare equal whatever their case, punctuation,
/// numbers, links, alphabet or look-alike letters: URLs, e-mail addresses and numbers (dates included) replaced by
/// placeholders, and every word folded onto plain Latin letters (<see cref="NoticeLetters"/>: the Unicode confusable
/// skeleton, or Cyrillic transliterated, whichever alphabet the word is in).
/// </summary>
public static partial class NoticeText
{
    [GeneratedRegex(@"(https?://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Urls();

    [GeneratedRegex(@"\S+@\S+\.\S+")]
    private static partial Regex Emails();

    [GeneratedRegex(@"\d+([./:-]\d+)*")]
    private static partial Regex Numbers();

    /// <summary>One line of text, normalised: its words folded (<see cref="NoticeLetters"/>) and placeholders, single spaces.</summary>
    public static string Normalise(string text)
    {
        string s = Urls().Replace(text, " url ");
        s = Emails().Replace(s, " email ");
        s = Numbers().Replace(s, " 0 ");
        var sb = new StringBuilder(s.Length);
        NoticeLetters.AppendFolded(s, sb);
        return sb.ToString();
    }

    /// <summary>The normalised, non-empty lines of a notice, each with a hash for counting how common it is.</summary>
    public static IReadOnlyList<(string Line, ulong Hash)> Lines(string? notice) =>
        string.IsNullOrWhiteSpace(notice)
            ? []
            : notice.Split('\n').Select(Normalise).Where(l => l.Length > 0).Select(l => (l, Hash(l))).ToList();

    public static ulong Hash(ReadOnlySpan<char> value) => XxHash64.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(value));

    /// <summary>Only the start of a very long notice is compared: copies differ, if at all, from their first paragraphs.</summary>
    public const int MaxShingledChars = 4000;

    /// <summary>
    /// The character 5-shingles of a normalised text, as hashes. Word n-grams were measured too: on copies with a fifth of
    /// their words edited, word 3-grams kept a Jaccard of about 0.3 and character 5-grams about 0.55, while unrelated
    /// notices of the same stock phrases stayed near 0.4 with either; characters separate copies from strangers better.
    /// </summary>
    public static ulong[] Shingles(string normalised)
    {
        var hashes = ShingleHashes(normalised);
        // Sorted and distinct: a set that two texts can be intersected in one merge.
        Array.Sort(hashes);
        int n = 0;
        for (int i = 0; i < hashes.Length; i++)
            if (n == 0 || hashes[i] != hashes[n - 1]) hashes[n++] = hashes[i];
        return n == hashes.Length ? hashes : hashes[..n];
    }

    /// <summary>The hash of each 5-character window, in order of the text, repeats included (enough for a MinHash signature).</summary>
    public static ulong[] ShingleHashes(string normalised)
    {
        var hashes = new ulong[ShingleCount(normalised)];
        FillShingleHashes(normalised, hashes);
        return hashes;
    }

    /// <summary>
    /// The MinHash signature of a normalised text's shingles (null for a text shorter than one), its hashes made in a
    /// pooled buffer: a notice's signature leaves no garbage the size of its text behind.
    /// </summary>
    public static uint[]? Signature(string normalised)
    {
        int count = ShingleCount(normalised);
        if (count == 0) return null;
        var buffer = ArrayPool<ulong>.Shared.Rent(count);
        try
        {
            var hashes = buffer.AsSpan(0, count);
            FillShingleHashes(normalised, hashes);
            return MinHash.Signature(hashes);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(buffer);
        }
    }

    private static int ShingleCount(string normalised) => Math.Max(0, Math.Min(normalised.Length, MaxShingledChars) - 4);

    private static void FillShingleHashes(string normalised, Span<ulong> hashes)
    {
        var text = normalised.AsSpan();
        for (int i = 0; i < hashes.Length; i++)
        {
            // Five UTF-16 units are 80 bits: folded into 64 by multiplying, then mixed so every bit depends on all of them.
            ulong h = 0;
            for (int k = 0; k < 5; k++) h = (h ^ text[i + k]) * 0x100000001B3UL;
            hashes[i] = MinHash.Mix(h);
        }
    }

    /// <summary>|A ∩ B| / |A ∪ B|; 0 for two empty sets.</summary>
    public static double Jaccard(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        int i = 0, j = 0, common = 0;
        // Without branches on the values (they are random hashes: a branch would be mispredicted half the time).
        while (i < a.Length && j < b.Length)
        {
            ulong x = a[i], y = b[j];
            common += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
        }
        return (double)common / (a.Length + b.Length - common);
    }
}

/// <summary>Keys of a claimant's name: exact (normalised), fuzzy (tolerates typos and reordering) and its pattern.</summary>
public sealed record ClaimantKeys(string Exact, string Fuzzy, string? Pattern)
{
    // Words organisations end their names with; "<word> Media Group" and "<word> Rights Agency" share a pattern.
    private static readonly HashSet<string> OrganisationWords = new[]
    {
        "group", "agency", "protection", "rights", "services", "service", "holding", "studio", "studios", "bureau", "broadcasting",
        "company", "media", "llc", "ltd", "inc", "gmbh", "too", "ooo", "oao", "zao", "law", "legal", "films", "film", "music", "records",
        "агентство", "группа", "компания", "медиа", "холдинг", "студия",
    }.Select(NoticeText.Normalise).ToHashSet(StringComparer.Ordinal); // folded as names are

    public static ClaimantKeys? Of(string? claimant)
    {
        if (string.IsNullOrWhiteSpace(claimant)) return null;
        string exact = NoticeText.Normalise(claimant);
        if (exact.Length == 0) return null;
        var tokens = exact.Split(' ');
        // Vowels and doubled letters are where typos and transliterations differ most.
        string fuzzy = string.Join(' ', tokens.Select(Skeleton).Where(t => t.Length > 0).Order(StringComparer.Ordinal));
        string? pattern = tokens.Length >= 2 && OrganisationWords.Contains(tokens[^1])
            ? "* " + string.Join(' ', tokens.Skip(1))
            : null;
        return new ClaimantKeys(exact, fuzzy, pattern);
    }

    private IReadOnlyList<string>? _patterns;

    // Equal by the name's keys: the patterns are worked out from them when first asked for.
    public bool Equals(ClaimantKeys? other) => other is not null && Exact == other.Exact && Fuzzy == other.Fuzzy && Pattern == other.Pattern;
    public override int GetHashCode() => HashCode.Combine(Exact, Fuzzy, Pattern);

    /// <summary>
    /// The name patterns this name belongs to: <see cref="Pattern"/> (a name ending in a word organisations end their
    /// names with, its first word left open), and for a name of three words or more, the name with any one of its words
    /// left open ("too * production", "* law llp"). Names given at random to fill one shape (a word picked for each
    /// notice into a fixed frame) share the frame whatever its words; how common each frame is on a platform says what
    /// sharing it weighs, so a frame ordinary claimants share (a given name and any surname) weighs little. Worked out
    /// from <see cref="Exact"/>, not stored.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Patterns => _patterns ??= PatternsOf(Exact, Pattern);

    private static IReadOnlyList<string> PatternsOf(string exact, string? pattern)
    {
        var tokens = exact.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var patterns = new List<string>();
        if (pattern is not null) patterns.Add(pattern);
        if (tokens.Length >= 3)
            for (int i = 0; i < tokens.Length; i++)
                patterns.Add(string.Join(' ', tokens.Select((t, j) => j == i ? "*" : t)));
        return patterns.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The groups of claimants this name belongs to, as (kind, value): itself, its spelling and its name patterns.</summary>
    public IEnumerable<(string Kind, string Value)> Groups()
    {
        yield return ("claimant", Exact);
        if (Fuzzy.Length > 0) yield return ("fuzzy", Fuzzy);
        foreach (var p in Patterns) yield return ("pattern", p);
    }

    private static string Skeleton(string token)
    {
        var sb = new StringBuilder(token.Length);
        foreach (char c in token)
            if ("aeiouy".IndexOf(c) < 0 && (sb.Length == 0 || sb[^1] != c)) sb.Append(c);
        return sb.ToString();
    }
}
