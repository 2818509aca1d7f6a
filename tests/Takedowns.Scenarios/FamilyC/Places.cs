using Takedowns.Contracts;

namespace Takedowns.Scenarios.FamilyC;

/// <summary>
/// A country of family C: how many takedowns its organisations see a day in all, in which languages notices come, which
/// platforms matter there, and its public holidays (on which fewer takedowns are reported).
/// </summary>
internal sealed record Land(
    string Code, string Name, double DailyTotal, (Tongue Tongue, double Weight)[] Tongues, (Platform Platform, double Weight)[] Platforms,
    bool EidHolidays, (int Month, int Day)[] Holidays, string[] Cities);

internal static class Places
{
    private static readonly (int, int)[] NewYear = [(1, 1), (1, 2), (3, 8)];

    /// <summary>In the order a scenario of N countries takes them.</summary>
    public static readonly Land[] All =
    [
        new("KZ", "Kazakhstan", 8.5, [(Tongue.Russian, 0.55), (Tongue.Kazakh, 0.3), (Tongue.English, 0.15)],
            [(Platform.Instagram, 0.28), (Platform.YouTube, 0.22), (Platform.TikTok, 0.16), (Platform.Facebook, 0.12), (Platform.Telegram, 0.12), (Platform.X, 0.05), (Platform.VK, 0.05)],
            true, [.. NewYear, (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9), (7, 6), (8, 30), (10, 25), (12, 16)], ["Almaty", "Astana", "Shymkent", "Aktobe", "Oral"]),
        new("KG", "Kyrgyzstan", 4.5, [(Tongue.Russian, 0.5), (Tongue.Kyrgyz, 0.35), (Tongue.English, 0.15)],
            [(Platform.Facebook, 0.25), (Platform.Instagram, 0.25), (Platform.YouTube, 0.2), (Platform.TikTok, 0.15), (Platform.Telegram, 0.1), (Platform.VK, 0.05)],
            true, [.. NewYear, (2, 23), (3, 21), (4, 7), (5, 1), (5, 5), (5, 9), (8, 31), (11, 7)], ["Bishkek", "Osh", "Karakol", "Naryn"]),
        new("UZ", "Uzbekistan", 6.0, [(Tongue.UzbekLatin, 0.45), (Tongue.UzbekCyrillic, 0.15), (Tongue.Russian, 0.3), (Tongue.English, 0.1)],
            [(Platform.Telegram, 0.3), (Platform.Instagram, 0.25), (Platform.YouTube, 0.2), (Platform.TikTok, 0.12), (Platform.Facebook, 0.13)],
            true, [.. NewYear, (3, 21), (5, 9), (9, 1), (10, 1), (12, 8)], ["Toshkent", "Samarqand", "Buxoro", "Namangan", "Nukus"]),
        new("TJ", "Tajikistan", 2.2, [(Tongue.Tajik, 0.55), (Tongue.Russian, 0.35), (Tongue.English, 0.1)],
            [(Platform.Facebook, 0.25), (Platform.Instagram, 0.2), (Platform.YouTube, 0.25), (Platform.Telegram, 0.2), (Platform.TikTok, 0.1)],
            true, [.. NewYear, (3, 21), (3, 22), (3, 23), (5, 9), (6, 27), (9, 9), (11, 6)], ["Dushanbe", "Khujand", "Khorog", "Kulob"]),
        new("TM", "Turkmenistan", 1.1, [(Tongue.Turkmen, 0.5), (Tongue.Russian, 0.4), (Tongue.English, 0.1)],
            [(Platform.Instagram, 0.35), (Platform.YouTube, 0.3), (Platform.TikTok, 0.2), (Platform.Other, 0.15)],
            true, [.. NewYear, (3, 21), (5, 9), (5, 18), (9, 27), (12, 12)], ["Ashgabat", "Mary", "Turkmenabat", "Dashoguz"]),
        new("AZ", "Azerbaijan", 3.0, [(Tongue.English, 0.55), (Tongue.Russian, 0.45)],
            [(Platform.Facebook, 0.3), (Platform.Instagram, 0.25), (Platform.YouTube, 0.25), (Platform.TikTok, 0.1), (Platform.X, 0.1)],
            true, [.. NewYear, (3, 20), (3, 21), (5, 28), (6, 15), (11, 9)], ["Baku", "Ganja", "Sumgait"]),
        new("RU", "Russia", 7.0, [(Tongue.Russian, 0.9), (Tongue.English, 0.1)],
            [(Platform.Telegram, 0.3), (Platform.VK, 0.25), (Platform.YouTube, 0.25), (Platform.Odnoklassniki, 0.05), (Platform.TikTok, 0.15)],
            false, [.. NewYear, (1, 3), (1, 7), (2, 23), (5, 1), (5, 9), (6, 12), (11, 4)], ["Moscow", "Kazan", "Novosibirsk", "Omsk"]),
        new("MN", "Mongolia", 1.3, [(Tongue.English, 0.6), (Tongue.Russian, 0.4)],
            [(Platform.Facebook, 0.5), (Platform.YouTube, 0.25), (Platform.Instagram, 0.25)],
            false, [.. NewYear, (7, 11), (7, 12), (7, 13), (11, 26)], ["Ulaanbaatar", "Erdenet", "Darkhan"]),
        new("GE", "Georgia", 1.8, [(Tongue.English, 0.7), (Tongue.Russian, 0.3)],
            [(Platform.Facebook, 0.45), (Platform.YouTube, 0.2), (Platform.Instagram, 0.2), (Platform.TikTok, 0.15)],
            false, [.. NewYear, (1, 19), (3, 3), (4, 9), (5, 26), (8, 28)], ["Tbilisi", "Batumi", "Kutaisi"]),
        new("AM", "Armenia", 1.6, [(Tongue.English, 0.6), (Tongue.Russian, 0.4)],
            [(Platform.Facebook, 0.4), (Platform.YouTube, 0.25), (Platform.Instagram, 0.2), (Platform.Telegram, 0.15)],
            false, [.. NewYear, (1, 6), (4, 24), (5, 28), (9, 21)], ["Yerevan", "Gyumri", "Vanadzor"]),
    ];

    /// <summary>Eid al-Fitr and Eid al-Adha (first day; the second is a holiday too in most of the region).</summary>
    public static readonly DateOnly[] Eids =
    [
        new(2024, 4, 10), new(2024, 6, 16), new(2025, 3, 30), new(2025, 6, 6), new(2026, 3, 20), new(2026, 5, 27), new(2027, 3, 10), new(2027, 5, 16),
    ];

    public static readonly (GroundCategory Category, double Weight)[] Categories =
    [
        (GroundCategory.CommunityStandards, 0.38), (GroundCategory.IntellectualProperty, 0.18), (GroundCategory.GovernmentRequest, 0.12),
        (GroundCategory.LegalRequest, 0.08), (GroundCategory.Impersonation, 0.09), (GroundCategory.Spam, 0.08), (GroundCategory.Unknown, 0.07),
    ];

    public static readonly (SubjectType Subject, double Weight)[] Subjects =
    [
        (SubjectType.Journalist, 0.26), (SubjectType.IndependentMedia, 0.24), (SubjectType.Blogger, 0.2), (SubjectType.Activist, 0.12),
        (SubjectType.Cso, 0.07), (SubjectType.HumanRightsDefender, 0.06), (SubjectType.Other, 0.05),
    ];

    /// <summary>The policies platforms cite, per category.</summary>
    public static string Policy(Platform platform, GroundCategory category, Random rng)
    {
        string[] options = (platform, category) switch
        {
            (Platform.YouTube, GroundCategory.IntellectualProperty) => ["Copyright", "Copyright strike"],
            (_, GroundCategory.IntellectualProperty) => ["Intellectual property", "Copyright"],
            (Platform.Facebook or Platform.Instagram, GroundCategory.CommunityStandards) => ["Dangerous organisations and individuals", "Violence and incitement", "Hateful conduct", "False information"],
            (Platform.YouTube, GroundCategory.CommunityStandards) => ["Violent extremism", "Harassment and cyberbullying", "Misinformation"],
            (Platform.TikTok, GroundCategory.CommunityStandards) => ["Violent and hateful organisations", "Integrity and authenticity"],
            (Platform.Telegram, _) => ["Terms of service"],
            (_, GroundCategory.CommunityStandards) => ["Community rules", "Abuse"],
            (_, GroundCategory.Impersonation) => ["Impersonation", "Fake accounts"],
            (_, GroundCategory.Spam) => ["Spam", "Platform manipulation"],
            (_, GroundCategory.LegalRequest) => ["Local law", "Defamation"],
            (_, GroundCategory.GovernmentRequest) => ["Government request", "Local law"],
            _ => ["Other"],
        };
        return options[rng.Next(options.Length)];
    }

    public static TakedownAction Action(GroundCategory category, Random rng) => category switch
    {
        GroundCategory.IntellectualProperty => rng.NextDouble() < 0.85 ? TakedownAction.ContentRemoved : TakedownAction.Demonetised,
        GroundCategory.CommunityStandards => Pick(rng, TakedownAction.ContentRemoved, TakedownAction.ContentRemoved, TakedownAction.AccountSuspended, TakedownAction.VisibilityReduced),
        GroundCategory.Impersonation => TakedownAction.AccountSuspended,
        GroundCategory.Spam => Pick(rng, TakedownAction.FeatureRestricted, TakedownAction.AccountSuspended),
        GroundCategory.LegalRequest or GroundCategory.GovernmentRequest => TakedownAction.ContentRestricted,
        _ => Pick(rng, TakedownAction.AccountSuspended, TakedownAction.AccountTerminated, TakedownAction.FeatureRestricted),
    };

    private static T Pick<T>(Random rng, params T[] items) => items[rng.Next(items.Length)];

    public static T Weighted<T>(Random rng, IReadOnlyList<(T Item, double Weight)> items)
    {
        double u = rng.NextDouble() * items.Sum(i => i.Weight);
        foreach (var (item, weight) in items)
            if ((u -= weight) < 0) return item;
        return items[^1].Item;
    }

    /// <summary>Hours of the day (UTC) takedowns are noticed: most in the region's afternoon and evening (UTC+5 and +6).</summary>
    public static readonly double[] HourWeights = [3, 4, 5, 6, 7, 8, 8, 8, 8, 9, 9, 9, 8, 7, 6, 5, 4, 2, 1, 0.6, 0.5, 0.5, 1, 2];

    public static string Syllables(Random rng, int count)
    {
        string[] s = ["ka", "zan", "tor", "bek", "lu", "mar", "sai", "dor", "vel", "qo", "rin", "tas", "zor", "nek", "pa", "ul", "xa", "mir", "sen", "gul"];
        return string.Concat(Enumerable.Range(0, count).Select(_ => s[rng.Next(s.Length)]));
    }

    public static string Domain(Random rng)
    {
        string[] tails = ["media", "studio", "films", "content", "news", "press", "tv", "records"];
        string[] tlds = ["kz", "uz", "kg", "tj", "com", "net", "org", "tv"];
        return $"{Syllables(rng, 2)}-{tails[rng.Next(tails.Length)]}.{tlds[rng.Next(tlds.Length)]}";
    }

    /// <summary>An account's handle: made-up name parts and digits, unique within the scenario.</summary>
    public static string Handle(Random rng, HashSet<string> taken)
    {
        string[] roots = ["qalam", "erkin", "haqiqat", "sarbon", "ozod", "azattyk", "kezek", "tilshi", "dala", "jarchi", "xabar", "ovoz", "soz", "bilim", "shahar", "nuqta"];
        string[] joins = ["_", ".", ""];
        while (true)
        {
            string h = $"{roots[rng.Next(roots.Length)]}{joins[rng.Next(joins.Length)]}{Syllables(rng, 1 + rng.Next(2))}{(rng.NextDouble() < 0.7 ? rng.Next(10, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
            if (taken.Add(h)) return h;
        }
    }

    public static string ItemUrl(Platform platform, string handle, Random rng)
    {
        string id = Syllables(rng, 2) + rng.Next(100000, 999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return platform switch
        {
            Platform.YouTube => $"https://www.youtube.com/watch?v={id}",
            Platform.Facebook => $"https://www.facebook.com/{handle}/posts/{rng.Next(100000000, 999999999)}",
            Platform.Instagram => $"https://www.instagram.com/p/{id}/",
            Platform.Telegram => $"https://t.me/{handle}/{rng.Next(10, 90000)}",
            Platform.X => $"https://x.com/{handle}/status/{rng.Next(100000000, 999999999)}",
            Platform.TikTok => $"https://www.tiktok.com/@{handle}/video/{rng.Next(100000000, 999999999)}",
            Platform.VK => $"https://vk.com/wall-{rng.Next(1000, 99999)}_{rng.Next(10, 9999)}",
            Platform.Odnoklassniki => $"https://ok.ru/video/{rng.Next(100000000, 999999999)}",
            _ => $"https://{handle}.example.net/{id}",
        };
    }
}
