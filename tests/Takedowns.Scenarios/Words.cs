using System.Text;

namespace Takedowns.Scenarios;

/// <summary>Synthetic names and texts, built from made-up syllables and stock phrases: nothing refers to a real person or body.</summary>
internal sealed class Words(Random random)
{
    private static readonly string[] Syllables =
        ["ka", "lo", "mir", "zen", "tor", "va", "ri", "don", "sel", "ar", "ne", "bek", "ul", "sta", "gor", "ina", "pol", "tem", "us", "dra", "vel", "ko", "lan", "mes"];

    private static readonly string[] Topics =
        ["documentary", "broadcast", "photo report", "interview", "investigation", "live stream", "podcast episode", "music clip", "news segment", "article", "video essay", "lecture"];

    private static readonly string[] Organisations =
        ["Media Group", "Rights Agency", "Content Protection", "Legal Services", "Holding", "Studio", "Press Bureau", "Broadcasting", "Digital Rights", "Film Company"];

    private static readonly string[] Complaints =
    [
        "this channel republished our {topic} without any licence",
        "the account copies the {topic} produced by our client",
        "we are the exclusive owner of the {topic} shown in this upload",
        "the material infringes the rights of our client and must be removed",
        "the publication uses fragments of the {topic} without permission",
        "our monitoring found unauthorised copies of the {topic}",
        "the uploader has no rights to distribute the {topic}",
        "the author of the {topic} never agreed to this use",
        "repeated infringement by this account has been documented",
        "the content misleads viewers about the origin of the {topic}",
        "this profile impersonates the editorial office of our client",
        "the posts contain false statements that harm the reputation of our client",
        "the account spreads prohibited content and violates community rules",
        "we demand immediate removal of all copies within the platform",
        "the infringing copy appeared shortly after our original release",
        "the user ignored previous warnings about the {topic}",
    ];

    public string Syllabic(int min = 2, int max = 3)
    {
        var sb = new StringBuilder();
        int n = random.Next(min, max + 1);
        for (int i = 0; i < n; i++) sb.Append(Syllables[random.Next(Syllables.Length)]);
        sb[0] = char.ToUpperInvariant(sb[0]);
        return sb.ToString();
    }

    public string Topic() => Topics[random.Next(Topics.Length)];

    public string Handle() => "@" + Syllabic(2, 3).ToLowerInvariant() + "_" + Syllabic(1, 2).ToLowerInvariant() + random.Next(10, 999);

    public string Company() => $"{Syllabic()} {Organisations[random.Next(Organisations.Length)]}";

    public string Person() => $"{Syllabic(2, 2)} {Syllabic(2, 3)}ov";

    public string Domain() => $"{Syllabic(2, 3).ToLowerInvariant()}-{Syllabic(1, 2).ToLowerInvariant()}.example";

    /// <summary>A complaint of 3 to 5 sentences from the stock phrases, with fresh topics and a made-up title.</summary>
    public string Complaint()
    {
        var picked = Complaints.OrderBy(_ => random.Next()).Take(random.Next(3, 6));
        string title = $"\"{Syllabic()} {Syllabic()}\"";
        return string.Join(". ", picked.Select(c => c.Replace("{topic}", $"{Topic()} {title}"))) + $". Reference {random.Next(10000, 99999)}.";
    }

    /// <summary>Rewrites <paramref name="share"/> of the words: a word replaced, dropped, or a word inserted.</summary>
    public string Edit(string text, double share)
    {
        var words = text.Split(' ').ToList();
        int edits = (int)Math.Round(words.Count * share);
        for (int i = 0; i < edits && words.Count > 3; i++)
        {
            int at = random.Next(words.Count);
            switch (random.Next(3))
            {
                case 0: words[at] = Syllabic(1, 3).ToLowerInvariant(); break;
                case 1: words.RemoveAt(at); break;
                default: words.Insert(at, Syllabic(1, 2).ToLowerInvariant()); break;
            }
        }
        return string.Join(' ', words);
    }

    private static readonly Dictionary<char, string> ToCyrillic = new()
    {
        ['a'] = "а", ['b'] = "б", ['c'] = "ц", ['d'] = "д", ['e'] = "е", ['f'] = "ф", ['g'] = "г", ['h'] = "х", ['i'] = "и",
        ['j'] = "й", ['k'] = "к", ['l'] = "л", ['m'] = "м", ['n'] = "н", ['o'] = "о", ['p'] = "п", ['q'] = "к", ['r'] = "р",
        ['s'] = "с", ['t'] = "т", ['u'] = "у", ['v'] = "в", ['w'] = "в", ['x'] = "кс", ['y'] = "ы", ['z'] = "з",
    };

    /// <summary>The text written in Cyrillic letters, as a transliterated copy of a notice would be.</summary>
    public static string Cyrillic(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            char lower = char.ToLowerInvariant(c);
            if (ToCyrillic.TryGetValue(lower, out var cy)) sb.Append(char.IsUpper(c) ? cy.ToUpperInvariant() : cy);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Latin letters swapped for Cyrillic look-alikes here and there, as evasive copies do.</summary>
    public string Homoglyphs(string text)
    {
        var swaps = new Dictionary<char, char> { ['a'] = 'а', ['e'] = 'е', ['o'] = 'о', ['p'] = 'р', ['c'] = 'с', ['x'] = 'х' };
        var sb = new StringBuilder(text.Length);
        foreach (char c in text) sb.Append(swaps.TryGetValue(c, out var s) && random.NextDouble() < 0.5 ? s : c);
        return sb.ToString();
    }
}
