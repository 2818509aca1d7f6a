using System.Globalization;
using System.Text;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// The confusable skeleton of Unicode Technical Standard #39: characters that look alike share one skeleton ("а"
/// Cyrillic and "a" Latin are both "a"; "ﬁ" is "fi"; "é" is "e" and a combining acute). The table is Unicode's own
/// (<see cref="UnicodeVersion"/>, generated into ConfusableSkeleton.Data.cs), held as data: the services run without
/// ICU, and the mapping then changes only when the table is regenerated.
/// </summary>
public static partial class ConfusableSkeleton
{
    private static readonly string?[] Bmp = new string?[char.MaxValue + 1];
    private static readonly Dictionary<int, string> Astral = [];

    static ConfusableSkeleton()
    {
        foreach (var line in Data.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty) continue;
            int space = line.IndexOf(' ');
            int from = int.Parse(line[..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var to = new StringBuilder();
            foreach (var part in line[(space + 1)..].ToString().Split(','))
                to.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            if (from <= char.MaxValue) Bmp[from] = to.ToString();
            else Astral[from] = to.ToString();
        }
    }

    /// <summary>The skeleton of one code point, or null where it is its own.</summary>
    public static string? Of(int codePoint) =>
        codePoint <= char.MaxValue ? Bmp[codePoint] : Astral.GetValueOrDefault(codePoint);

    /// <summary>
    /// The skeleton of a text: each code point's, concatenated. Unlike UTS #39's skeleton the combining marks of
    /// neighbouring characters are not put back into canonical order (the notice normaliser drops them anyway).
    /// </summary>
    public static string Of(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Of(rune.Value) is { } skeleton) sb.Append(skeleton);
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
