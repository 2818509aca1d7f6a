using System.Text;

namespace Takedowns.Scenarios.FamilyC;

/// <summary>
/// How a campaign's copies are made to differ: words edited, letters swapped for look-alikes of the other script, the
/// Uzbek o' and g' written with one apostrophe or another, and claimant names drawn from a pattern or respelt.
/// </summary>
internal static class Disguise
{
    // Latin letters and the Cyrillic letters drawn the same (and the reverse).
    private const string Latin = "aceopxyijsABCEHKMOPTXhS";
    private const string Cyril = "асеорхуіјѕАВСЕНКМОРТХһЅ";

    public static readonly string[] Apostrophes = ["'", "ʻ", "ʼ", "`", "’"];

    /// <summary>Each letter that has a twin in the other script swapped for it with probability <paramref name="share"/>.</summary>
    public static string LookAlike(string text, double share, Random rng)
    {
        var words = text.Split(' ');
        for (int w = 0; w < words.Length; w++)
        {
            // Addresses and domains stay as they are: a swapped letter there would make another address.
            if (words[w].Contains("://", StringComparison.Ordinal) || words[w].TrimEnd('.', ',').Contains('.')) continue;
            var sb = new StringBuilder(words[w].Length);
            foreach (char ch in words[w])
            {
                int l = Latin.IndexOf(ch), c = Cyril.IndexOf(ch);
                if (l >= 0 && rng.NextDouble() < share) sb.Append(Cyril[l]);
                else if (c >= 0 && rng.NextDouble() < share) sb.Append(Latin[c]);
                else sb.Append(ch);
            }
            words[w] = sb.ToString();
        }
        return string.Join(' ', words);
    }

    /// <summary>Back to one script: what a reader sees. Used to check the generator, not by detection.</summary>
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char ch in text)
        {
            int c = Cyril.IndexOf(ch);
            sb.Append(c >= 0 ? Latin[c] : Array.IndexOf(Apostrophes, ch.ToString()) >= 0 ? '\'' : ch);
        }
        return sb.ToString();
    }

    /// <summary>Uzbek-Latin o' and g' (and the apostrophe of e'lon, sha'ni) written with one of the apostrophes people use.</summary>
    public static string Apostrophe(string text, string apostrophe) => text.Replace("'", apostrophe);

    /// <summary>About <paramref name="rate"/> of the words edited: swapped for a filler, dropped, or followed by one.</summary>
    public static string Edit(string text, double rate, string[] fillers, Random rng)
    {
        if (rate <= 0) return text;
        var words = text.Split(' ');
        var result = new List<string>(words.Length + 4);
        foreach (string w in words)
        {
            // Addresses and the campaign's own placeholders are left whole.
            if (w.Contains("://") || rng.NextDouble() >= rate)
            {
                result.Add(w);
                continue;
            }
            double op = rng.NextDouble();
            if (op < 0.5) result.Add(fillers[rng.Next(fillers.Length)]);
            else if (op < 0.75) continue;
            else
            {
                result.Add(w);
                result.Add(fillers[rng.Next(fillers.Length)]);
            }
        }
        return string.Join(' ', result);
    }

    private static readonly string[] LatinWords = ["Nurly", "Altyn", "Bereke", "Tulpar", "Saryarka", "Dostar", "Zhuldyz", "Orda", "Samal", "Aspan", "Kerey", "Tengri", "Shanyrak", "Bayterek", "Kokjiek", "Ulytau"];
    private static readonly string[] CyrillicWords = ["Нұрлы", "Алтын", "Береке", "Тұлпар", "Сарыарқа", "Достар", "Жұлдыз", "Орда", "Самал", "Аспан", "Шаңырақ", "Бәйтерек", "Ұлытау", "Теңіз"];
    private static readonly string[] UzbekWords = ["Yulduz", "Bahor", "Oltin", "Nur", "Sharq", "Zamin", "Ipak", "Lola", "Navro'z", "Tong", "Samo", "Orzu"];
    public static readonly string[] Surnames = ["Abenov", "Saparov", "Usmonov", "Karimbekov", "Tokhtarov", "Jumabaev", "Rakhimov", "Ospanov", "Nazarov", "Beknazarov", "Ismoilov", "Ataev", "Durdyev", "Kurbanov", "Mamyrov", "Sultanov"];
    public static readonly string[] Given = ["Aidos", "Dilnoza", "Bakyt", "Farrukh", "Gulnara", "Timur", "Zarina", "Ruslan", "Madina", "Sanjar", "Aigerim", "Nodir", "Kamila", "Erlan", "Shahlo", "Daniyar"];

    /// <summary>The patterns randomised claimant names follow; ordinary claimants are sometimes named the same way.</summary>
    public static readonly Func<Random, string>[] Patterns =
    [
        r => $"{LatinWords[r.Next(LatinWords.Length)]} Media Group",
        r => $"ТОО «{CyrillicWords[r.Next(CyrillicWords.Length)]} Продакшн»",
        r => $"{Surnames[r.Next(Surnames.Length)]} & Partners Law Firm",
        r => $"MChJ «{UzbekWords[r.Next(UzbekWords.Length)]} Kontent»",
        r => $"{LatinWords[r.Next(LatinWords.Length)]}{UzbekWords[r.Next(UzbekWords.Length)]} Rights Agency",
        r => $"{Given[r.Next(Given.Length)]} {Surnames[r.Next(Surnames.Length)]} (rights holder)",
    ];

    private static readonly (string Latin, string Cyrillic)[] Translit =
    [
        ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ya", "я"), ("yu", "ю"), ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"),
        ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
        ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "ы"), ("z", "з"),
    ];

    /// <summary>One name spelt several ways, as different people type it: case, hyphens, British or American, Cyrillic.</summary>
    public static string Respell(string name, Random rng)
    {
        return rng.Next(5) switch
        {
            0 => name,
            1 => name.ToUpperInvariant(),
            2 => name.Replace("Centre", "Center").Replace(" ", rng.NextDouble() < 0.5 ? "-" : "  ", StringComparison.Ordinal),
            3 => name.ToLowerInvariant(),
            _ => ToCyrillic(name),
        };
    }

    private static string ToCyrillic(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length;)
        {
            bool upper = char.IsUpper(name[i]);
            var hit = Translit.FirstOrDefault(t => string.Compare(name, i, t.Latin, 0, t.Latin.Length, StringComparison.OrdinalIgnoreCase) == 0);
            if (hit.Latin is null)
            {
                sb.Append(name[i++]);
                continue;
            }
            sb.Append(upper ? char.ToUpperInvariant(hit.Cyrillic[0]) + hit.Cyrillic[1..] : hit.Cyrillic);
            i += hit.Latin.Length;
        }
        return sb.ToString();
    }
}
