using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Normalises notice texts and claimant names so that copies of one text compare equal whatever their case, punctuation,
/// numbers, links or alphabet: Unicode NFKC, case folded, URLs, e-mail addresses and numbers (dates included) replaced by
/// placeholders, and Cyrillic transliterated into Latin with the letters copies swap for look-alikes folded together.
/// </summary>
public static partial class NoticeText
{
    // Latin letters that Cyrillic look-alikes stand in for are folded onto one letter: a homoglyph copy ("с" for "c") and a
    // transliterated copy ("с" for "s") of the same word then give the same skeleton.
    private static readonly Dictionary<char, string> Fold = new()
    {
        ['c'] = "s", ['p'] = "r", ['w'] = "v", ['q'] = "k", ['x'] = "ks",
        ['а'] = "a", ['б'] = "b", ['в'] = "v", ['г'] = "g", ['д'] = "d", ['е'] = "e", ['ё'] = "e", ['ж'] = "zh", ['з'] = "z",
        ['и'] = "i", ['й'] = "j", ['к'] = "k", ['л'] = "l", ['м'] = "m", ['н'] = "n", ['о'] = "o", ['п'] = "r", ['р'] = "r",
        ['с'] = "s", ['т'] = "t", ['у'] = "u", ['ф'] = "f", ['х'] = "h", ['ц'] = "s", ['ч'] = "ch", ['ш'] = "sh", ['щ'] = "sch",
        ['ъ'] = "", ['ы'] = "y", ['ь'] = "", ['э'] = "e", ['ю'] = "yu", ['я'] = "ya", ['і'] = "i", ['ї'] = "i", ['є'] = "e",
        ['ґ'] = "g", ['ә'] = "a", ['ғ'] = "g", ['қ'] = "k", ['ң'] = "n", ['ө'] = "o", ['ұ'] = "u", ['ү'] = "u", ['һ'] = "h",
        ['ў'] = "u", ['ј'] = "j", ['љ'] = "lj", ['њ'] = "nj", ['ћ'] = "c", ['ђ'] = "dj", ['џ'] = "dz",
    };

    [GeneratedRegex(@"(https?://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Urls();

    [GeneratedRegex(@"\S+@\S+\.\S+")]
    private static partial Regex Emails();

    [GeneratedRegex(@"\d+([./:-]\d+)*")]
    private static partial Regex Numbers();

    /// <summary>One line of text, normalised: words of folded Latin letters and placeholders, single spaces.</summary>
    public static string Normalise(string text)
    {
        string s = text.Normalize(NormalizationForm.FormKC);
        s = Urls().Replace(s, " url ");
        s = Emails().Replace(s, " email ");
        s = Numbers().Replace(s, " 0 ");
        var sb = new StringBuilder(s.Length);
        bool space = true;
        foreach (char raw in s)
        {
            char c = char.ToLowerInvariant(raw);
            if (Fold.TryGetValue(c, out var folded))
            {
                sb.Append(folded);
                space = false;
            }
            else if (char.IsLetterOrDigit(c))
            {
                // Other letters lose their accents: "é" and "e" are the same letter to a copier.
                foreach (char d in c.ToString().Normalize(NormalizationForm.FormD))
                    if (CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark) sb.Append(d);
                space = false;
            }
            else if (!space)
            {
                sb.Append(' ');
                space = true;
            }
        }
        return sb.ToString().Trim();
    }

    /// <summary>The normalised, non-empty lines of a notice, each with a hash for counting how common it is.</summary>
    public static IReadOnlyList<(string Line, ulong Hash)> Lines(string? notice) =>
        string.IsNullOrWhiteSpace(notice)
            ? []
            : notice.Split('\n').Select(Normalise).Where(l => l.Length > 0).Select(l => (l, Hash(l))).ToList();

    public static ulong Hash(string value) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(value));

    /// <summary>Only the start of a very long notice is compared: copies differ, if at all, from their first paragraphs.</summary>
    public const int MaxShingledChars = 4000;

    /// <summary>
    /// The character 5-shingles of a normalised text, as hashes. Word n-grams were measured too: on copies with a fifth of
    /// their words edited, word 3-grams kept a Jaccard of about 0.3 and character 5-grams about 0.55, while unrelated
    /// notices of the same stock phrases stayed near 0.4 with either; characters separate copies from strangers better.
    /// </summary>
    public static HashSet<ulong> Shingles(string normalised)
    {
        var set = new HashSet<ulong>();
        var text = normalised.AsSpan(0, Math.Min(normalised.Length, MaxShingledChars));
        for (int i = 0; i + 5 <= text.Length; i++) set.Add(XxHash64.HashToUInt64(MemoryMarshalBytes(text.Slice(i, 5))));
        return set;
    }

    private static ReadOnlySpan<byte> MemoryMarshalBytes(ReadOnlySpan<char> chars) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars);

    /// <summary>|A ∩ B| / |A ∪ B|; 0 for two empty sets.</summary>
    public static double Jaccard(IReadOnlySet<ulong> a, IReadOnlySet<ulong> b)
    {
        if (a.Count == 0 || b.Count == 0) return 0;
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        int common = small.Count(large.Contains);
        return (double)common / (a.Count + b.Count - common);
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

    private static string Skeleton(string token)
    {
        var sb = new StringBuilder(token.Length);
        foreach (char c in token)
            if ("aeiouy".IndexOf(c) < 0 && (sb.Length == 0 || sb[^1] != c)) sb.Append(c);
        return sb.ToString();
    }
}
