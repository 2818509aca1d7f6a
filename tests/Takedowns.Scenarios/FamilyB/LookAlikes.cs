using System.Text;

namespace Takedowns.Scenarios.FamilyB;

/// <summary>
/// Look-alike letter evasion as a campaign's sender does it: Cyrillic а е о р с у х і ј (and capitals) put into Latin
/// words, their Latin twins into Cyrillic words, and the Uzbek o' and g' written with any of the apostrophes keyboards give.
/// </summary>
public static class LookAlikes
{
    /// <summary>Latin letters and their Cyrillic twins.</summary>
    public static readonly IReadOnlyDictionary<char, char> LatinToCyrillic = new Dictionary<char, char>
    {
        ['a'] = 'а', ['e'] = 'е', ['o'] = 'о', ['p'] = 'р', ['c'] = 'с', ['y'] = 'у', ['x'] = 'х', ['i'] = 'і', ['j'] = 'ј',
        ['A'] = 'А', ['B'] = 'В', ['E'] = 'Е', ['K'] = 'К', ['M'] = 'М', ['H'] = 'Н', ['O'] = 'О', ['P'] = 'Р', ['C'] = 'С',
        ['T'] = 'Т', ['X'] = 'Х', ['I'] = 'І',
    };

    public static readonly IReadOnlyDictionary<char, char> CyrillicToLatin = LatinToCyrillic.ToDictionary(p => p.Value, p => p.Key);

    /// <summary>The apostrophes Uzbek o' and g' are typed with: ASCII, modifier letters turned comma and apostrophe, grave, right quote.</summary>
    public static readonly char[] Apostrophes = ['\'', 'ʻ', 'ʼ', '`', '’'];

    /// <summary>
    /// Swaps each eligible letter for its twin of the other script with probability <paramref name="share"/>: Cyrillic
    /// letters into words written in Latin, Latin ones into words written in Cyrillic.
    /// </summary>
    public static string Swap(string text, double share, Random random)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsLetter(text[i])) i++;
            if (i > start)
            {
                var word = text.AsSpan(start, i - start);
                bool cyrillic = IsCyrillicWord(word);
                var map = cyrillic ? CyrillicToLatin : LatinToCyrillic;
                foreach (char ch in word)
                    sb.Append(map.TryGetValue(ch, out char twin) && random.NextDouble() < share ? twin : ch);
            }
            else sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    /// <summary>Writes each o' and g' apostrophe as one of <see cref="Apostrophes"/>, chosen per occurrence.</summary>
    public static string Apostrophise(string text, Random random)
    {
        var chars = text.ToCharArray();
        for (int i = 1; i < chars.Length; i++)
            if (Array.IndexOf(Apostrophes, chars[i]) >= 0 && chars[i - 1] is 'o' or 'g' or 'O' or 'G')
                chars[i] = Apostrophes[random.Next(Apostrophes.Length)];
        return new string(chars);
    }

    /// <summary>Whether a text mixes scripts within a word: a Cyrillic letter in a mostly Latin word or the reverse.</summary>
    public static bool HasMixedWord(string text)
    {
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int latin = word.Count(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z');
            int cyrillic = word.Count(c => c is >= '\u0400' and <= '\u04FF');
            if (latin > 0 && cyrillic > 0) return true;
        }
        return false;
    }

    private static bool IsCyrillicWord(ReadOnlySpan<char> word)
    {
        int cyrillic = 0, letters = 0;
        foreach (char c in word)
        {
            letters++;
            if (c is >= '\u0400' and <= '\u04FF') cyrillic++;
        }
        return cyrillic * 2 > letters;
    }
}
