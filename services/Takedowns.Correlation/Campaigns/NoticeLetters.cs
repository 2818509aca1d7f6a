using System.Globalization;
using System.Text;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Folds the words of a notice onto plain Latin letters so that copies compare alike whatever alphabet, accents or
/// look-alike letters they are written in.
/// <para>
/// Each word is read either as Latin or as Cyrillic. Read as Latin, every character becomes its lower-cased confusable
/// skeleton (UTS #39) without combining marks: a Cyrillic "а", "с", "о" among Latin letters is the "a", "c", "o" it
/// looks like, and a plain Latin word is its own skeleton, so "Thе аuthоr" with Cyrillic е, а, о is "the author".
/// Read as Cyrillic, Cyrillic letters are transliterated (Russian and the Central Asian alphabets, onto the letters
/// their Latin alphabets use, diacritics dropped), and Latin letters that look like a Cyrillic one are read as that
/// letter, so "aккaунт" with Latin a's is "akkaunt" as the Cyrillic word is. A word is read in the alphabet of most of
/// its letters that only one of the two alphabets has ("t", "u", "n" are only Latin; "к", "н", "т", "и" only
/// Cyrillic); a word of letters both have ("сор", "ахе") is read in the alphabet most of its line is in.
/// </para>
/// <para>
/// Latin letters then get a few folds that make an alphabet's spelling and a transliteration meet: "x" is "h" (Uzbek
/// "x" is Cyrillic "х"), "w" is "v", "q" is "k", "y" is "i" (Kazakh writes "й" "i", Uzbek "y"), "zh" is "j" and "kh" is "h"; "ş", "š" are "sh", "ç", "č" are "ch", "ž"
/// is "j" (Turkmen and Kazakh Latin beside Cyrillic "ш", "ч", "ж"); apostrophes inside a word (Uzbek o' and g', in any
/// of their forms) are dropped, so "oʻzbek" and "ўзбек" are both "ozbek".
/// </para>
/// </summary>
internal static class NoticeLetters
{
    /// <summary>Which alphabet a character tells a word is in: only Latin has it, only Cyrillic, or neither says.</summary>
    private enum Side : byte { Neither, Latin, Cyrillic }

    // Per UTF-16 unit: what it becomes in a word read as Latin and as Cyrillic (null: not part of a word), and its side.
    private static readonly string?[] AsLatin = new string?[char.MaxValue + 1];
    private static readonly string?[] AsCyrillic = new string?[char.MaxValue + 1];
    private static readonly Side[] Sides = new Side[char.MaxValue + 1];

    /// <summary>Lower-case Cyrillic letters as their alphabets' Latin spellings (Kazakh 2021, Uzbek, Turkmen), marks left off.</summary>
    private static readonly Dictionary<char, string> Transliteration = new()
    {
        ['а'] = "a", ['б'] = "b", ['в'] = "v", ['г'] = "g", ['д'] = "d", ['е'] = "e", ['ё'] = "e", ['ж'] = "j", ['з'] = "z",
        ['и'] = "i", ['й'] = "y", ['к'] = "k", ['л'] = "l", ['м'] = "m", ['н'] = "n", ['о'] = "o", ['п'] = "p", ['р'] = "r",
        ['с'] = "s", ['т'] = "t", ['у'] = "u", ['ф'] = "f", ['х'] = "h", ['ц'] = "ts", ['ч'] = "ch", ['ш'] = "sh",
        ['щ'] = "shch", ['ъ'] = "", ['ы'] = "y", ['ь'] = "", ['э'] = "e", ['ю'] = "yu", ['я'] = "ya",
        // Ukrainian, Belarusian, Serbian, Macedonian.
        ['і'] = "i", ['ї'] = "i", ['є'] = "e", ['ґ'] = "g", ['ј'] = "j", ['љ'] = "lj", ['њ'] = "nj", ['ћ'] = "c", ['ђ'] = "dj",
        ['џ'] = "dz", ['ѕ'] = "s",
        // Kazakh ä ğ q ñ ö ū ü h ı, Kyrgyz ң ө ү, Uzbek ў oʻ ғ gʻ қ q ҳ h, Tajik ҳ ҷ ӣ ӯ, Turkmen ә җ ң ө ү, Tatar and Bashkir.
        ['ә'] = "a", ['ғ'] = "g", ['қ'] = "q", ['ң'] = "n", ['ө'] = "o", ['ұ'] = "u", ['ү'] = "u", ['һ'] = "h", ['ў'] = "o",
        ['ҳ'] = "h", ['ҷ'] = "j", ['ӣ'] = "i", ['ӯ'] = "u", ['җ'] = "j", ['ҙ'] = "z", ['ҫ'] = "s",
    };

    /// <summary>Latin letters spelled as the digraphs of the alphabets and transliterations they stand beside.</summary>
    private static readonly Dictionary<char, string> Spelled = new()
    {
        ['ß'] = "ss", ['þ'] = "th", ['ð'] = "d", ['š'] = "sh", ['ş'] = "sh", ['ș'] = "sh", ['č'] = "ch", ['ç'] = "ch", ['ž'] = "j",
    };

    static NoticeLetters()
    {
        for (int c = 0; c <= char.MaxValue; c++) AsLatin[c] = LatinReading((char)c);

        // Look-alikes between the alphabets: characters whose skeletons are equal. The Cyrillic letter a skeleton
        // stands for is the commonest one (Russian before Ukrainian before the rest).
        var cyrillicOf = new Dictionary<string, char>(StringComparer.Ordinal);
        foreach (char c in CyrillicByPreference())
            cyrillicOf.TryAdd(ConfusableSkeleton.Of(c) ?? c.ToString(), c);
        // Cyrillic letters that look like a letter of the Latin alphabets in use ("а", "с", "ө"), not like a rare Latin
        // letter ("к" is like "ĸ", "ә" like "ǝ"): only these leave a word's alphabet undecided.
        var latinSkeletons = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c <= char.MaxValue; c++)
        {
            string skeleton = ConfusableSkeleton.Of(c) ?? ((char)c).ToString();
            if (IsLatinLetter((char)c) && IsAsciiLetters(skeleton) && skeleton.Count(char.IsAsciiLetter) == 1) latinSkeletons.Add(skeleton);
        }

        for (int i = 0; i <= char.MaxValue; i++)
        {
            char c = (char)i;
            string skeleton = ConfusableSkeleton.Of(c) ?? c.ToString();
            if (IsCyrillic(c))
            {
                AsCyrillic[c] = Transliteration.TryGetValue(char.ToLowerInvariant(c), out var latin) ? AsLatinLetters(latin) : AsLatin[c];
                if (char.IsLetter(c)) Sides[c] = latinSkeletons.Contains(skeleton) ? Side.Neither : Side.Cyrillic;
            }
            else
            {
                // A Latin letter among Cyrillic ones is the Cyrillic letter it looks like (not a sign that adds no letter).
                AsCyrillic[c] = AsLatin[c] is not null && cyrillicOf.TryGetValue(skeleton, out char twin)
                                && Transliteration.TryGetValue(char.ToLowerInvariant(twin), out var reading) && reading.Length > 0
                    ? AsLatinLetters(reading)
                    : AsLatin[c];
                if (IsLatinLetter(c)) Sides[c] = cyrillicOf.ContainsKey(skeleton) ? Side.Neither : Side.Latin;
            }
        }
    }

    private static IEnumerable<char> CyrillicByPreference()
    {
        for (char c = '\u0430'; c <= '\u044F'; c++) yield return c;
        for (char c = '\u0410'; c <= '\u042F'; c++) yield return c;
        for (char c = '\u0450'; c <= '\u045F'; c++) yield return c;
        for (char c = '\u0400'; c <= '\u040F'; c++) yield return c;
        for (char c = '\u0460'; c <= '\u052F'; c++) yield return c;
        for (char c = '\uA640'; c <= '\uA69F'; c++) yield return c;
    }

    private static bool IsCyrillic(char c) => c is >= '\u0400' and <= '\u052F' or >= '\u1C80' and <= '\u1C8F' or >= '\u2DE0' and <= '\u2DFF' or >= '\uA640' and <= '\uA69F';

    private static bool IsLatinLetter(char c) =>
        char.IsLetter(c) && c is <= '\u024F' or >= '\u1E00' and <= '\u1EFF' or >= '\uFF21' and <= '\uFF3A' or >= '\uFF41' and <= '\uFF5A';

    private static bool IsMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;

    private static bool IsAsciiLetters(string s)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetter(c) && !IsMark(c)) return false;
        return s.Length > 0;
    }

    /// <summary>A character read as Latin: its lower-cased skeleton, folded; null for what separates words.</summary>
    private static string? LatinReading(char c)
    {
        if (char.IsSurrogate(c)) return null;
        string? skeleton = ConfusableSkeleton.Of(c);
        // Apostrophes (' ʻ ʼ ` ’ ‘ and their look-alikes) join the letters around them and add none.
        if (c == '\'' || skeleton == "'") return "";
        if (IsMark(c)) return "";
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (!char.IsLetterOrDigit(c) && category != UnicodeCategory.SpacingCombiningMark) return null;

        // Full-width forms are the ASCII they are wide copies of (confusables.txt has only some of them).
        if (c is >= '\uFF01' and <= '\uFF5E') return LatinReading((char)(c - 0xFEE0));
        char lower = char.ToLowerInvariant(c);
        if (Spelled.TryGetValue(lower, out var spelled)) return Folded(spelled);
        string folded = ConfusableSkeleton.Of(lower) ?? lower.ToString();
        // Capitals whose small letters look like nothing Latin still look like a Latin capital (Cyrillic "Т", "Н", "В").
        if (!IsAsciiLetters(folded) && skeleton is not null && IsAsciiLetters(skeleton))
            folded = ConfusableSkeleton.Of(skeleton.ToLowerInvariant()); // "М" is "M", as "m" is "rn"
        return Folded(folded);
    }

    /// <summary>Latin letters as a word read as Latin has them (a transliteration's "m" is then the skeleton's "rn" too).</summary>
    private static string AsLatinLetters(string latin) => string.Concat(latin.Select(c => AsLatin[c]));

    /// <summary>Lower case, no combining marks or apostrophes, and the Latin letters that spellings disagree on made one.</summary>
    private static string Folded(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char raw in s)
        {
            char c = char.ToLowerInvariant(raw);
            if (IsMark(c) || c == '\'' || char.IsWhiteSpace(c)) continue;
            sb.Append(c switch { 'x' => 'h', 'w' => 'v', 'q' => 'k', 'y' => 'i', _ => c });
        }
        return sb.ToString();
    }

    /// <summary>Appends the words of a text, folded, separated by single spaces.</summary>
    public static void AppendFolded(ReadOnlySpan<char> text, StringBuilder into)
    {
        // Which alphabet the line is mostly in decides for words that could be either.
        int latin = 0, cyrillic = 0;
        foreach (char c in text)
        {
            var side = Sides[c];
            if (side == Side.Latin) latin++;
            else if (side == Side.Cyrillic) cyrillic++;
        }
        bool lineCyrillic = cyrillic > latin;

        int i = 0;
        while (i < text.Length)
        {
            if (!IsWordChar(text, i))
            {
                i++;
                continue;
            }
            int start = i, wordLatin = 0, wordCyrillic = 0;
            for (; i < text.Length && IsWordChar(text, i); i++)
            {
                var side = Sides[text[i]];
                if (side == Side.Latin) wordLatin++;
                else if (side == Side.Cyrillic) wordCyrillic++;
            }
            var readings = wordCyrillic > wordLatin || (wordCyrillic == wordLatin && lineCyrillic) ? AsCyrillic : AsLatin;
            AppendWord(text[start..i], readings, into);
        }
    }

    // A surrogate pair is a word character when it stands for a letter or digit (mathematical letters among them).
    private static bool IsWordChar(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (!char.IsSurrogate(c)) return AsLatin[c] is not null;
        if (char.IsHighSurrogate(c))
            return i + 1 < text.Length && Rune.TryCreate(c, text[i + 1], out var rune) && Rune.IsLetterOrDigit(rune);
        return i > 0 && Rune.TryCreate(text[i - 1], c, out var pair) && Rune.IsLetterOrDigit(pair);
    }

    private static void AppendWord(ReadOnlySpan<char> word, string?[] readings, StringBuilder into)
    {
        int start = into.Length;
        if (start > 0) into.Append(' ');
        int wordStart = into.Length;
        for (int i = 0; i < word.Length; i++)
        {
            char c = word[i];
            if (char.IsHighSurrogate(c) && i + 1 < word.Length)
            {
                int cp = char.ConvertToUtf32(c, word[i + 1]);
                if (ConfusableSkeleton.Of(cp) is { } skeleton)
                    foreach (char s in skeleton) Append(AsLatin[s] ?? "", wordStart, into);
                else into.Append(c).Append(word[i + 1]);
                i++;
                continue;
            }
            Append(readings[c] ?? "", wordStart, into);
        }
        if (into.Length == wordStart) into.Length = start; // a word that folded to nothing (an apostrophe alone)
    }

    private static void Append(string letters, int wordStart, StringBuilder into)
    {
        foreach (char c in letters)
        {
            // "zh" and "kh", the transliterations of "ж" and "х", as "j" and "h".
            if (c == 'h' && into.Length > wordStart && into[^1] is 'z' or 'k')
            {
                into[^1] = into[^1] == 'z' ? 'j' : 'h';
                continue;
            }
            into.Append(c);
        }
    }
}
