namespace Takedowns.Scenarios.FamilyB;

/// <summary>Made-up names family B fills its notices with: claimants, works, places, agencies, laws, domains, handles.</summary>
internal static class Names
{
    public static readonly string[] Words =
    [
        "Nova", "Astra", "Zenit", "Orda", "Tengri", "Baiterek", "Samruk", "Altyn", "Sunkar", "Kyran", "Arys", "Meridian",
        "Saryarka", "Ulytau", "Alatau", "Zarafshan", "Pamir", "Kopet", "Turan", "Aral", "Ishim", "Navruz", "Bereke", "Ilim",
    ];

    public static readonly string[] Surnames =
    [
        "Akhmetov", "Nurlanov", "Iskakov", "Rakhimov", "Karimov", "Sadykov", "Murodov", "Berdiyev", "Orazov", "Petrov",
        "Smirnova", "Jumabaev", "Toktogulov", "Usmonov", "Saidov", "Atayev", "Kuznetsov", "Abenova", "Mamatova", "Yusupov",
    ];

    public static readonly string[] GivenNames =
    [
        "Aigerim", "Nursultan", "Dilnoza", "Bakyt", "Farrukh", "Gulnara", "Timur", "Madina", "Rustam", "Saule", "Jamshid",
        "Aizhan", "Bekzod", "Nilufar", "Azamat", "Mehriban", "Dmitry", "Olga", "Shahzoda", "Erlan",
    ];

    /// <summary>Name patterns campaigns randomise their claimants with, and that ordinary claimants have too.</summary>
    public static readonly Func<Random, string>[] Patterns =
    [
        r => $"{Pick(r, Words)} Media Group",
        r => $"{Pick(r, Surnames)} Law LLP",
        r => $"{Pick(r, Words)} Rights Agency",
        r => $"ООО «{Pick(r, Words)} Медиа»",
        r => $"{Pick(r, Surnames)} & Partners",
        r => $"TOO «{Pick(r, Words)} Production»",
    ];

    public static readonly string[] Places = ["Almaty", "Astana", "Shymkent", "Bishkek", "Osh", "Tashkent", "Samarkand", "Dushanbe", "Khujand", "Ashgabat", "Mary", "Karaganda"];

    public static readonly string[] Domains =
    [
        "kazinfo-news.kz", "tengri-daily.kz", "bishkek-vesti.kg", "osh-times.kg", "uzdaily-press.uz", "toshkent-24.uz",
        "dushanbe-post.tj", "asia-watch.org", "steppe-media.com", "centralasia-tv.net", "nurly-zhol.kz", "ashgabat-herald.tm",
        "eurasia-report.com", "silkroad-stories.net", "aq-zhaiyq.kz", "kun-info.uz",
    ];

    public static readonly string[] Titles =
    [
        "Evening news", "Interview with the mayor", "Morning broadcast", "Road to {0}", "The {0} files", "Weekly review",
        "Итоги недели", "Прямой эфир", "Кешкі жаңалықтар", "Kun yangiliklari", "Ахбори рӯз", "Günüň habarlary",
    ];

    public static string Pick(Random r, IReadOnlyList<string> values) => values[r.Next(values.Count)];

    public static string Person(Random r) => $"{Pick(r, GivenNames)} {Pick(r, Surnames)}";

    public static string Handle(Random r) =>
        $"@{Pick(r, GivenNames).ToLowerInvariant()}{(r.Next(3) == 0 ? "_" : ".")}{Pick(r, Words).ToLowerInvariant()}{r.Next(10, 9999)}";

    public static string Work(Random r) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Pick(r, Titles), Pick(r, Places)) + $" #{r.Next(1, 400)}";

    public static string Reference(Random r) => $"{(char)('A' + r.Next(26))}{(char)('A' + r.Next(26))}-{r.Next(1_000_000, 9_999_999)}";

    public static string Url(Random r, string domain) => $"https://{domain}/{r.Next(2019, 2027)}/{r.Next(1, 13):D2}/{r.Next(10_000, 99_999)}";

    public static string AgencyOf(string country) => country switch
    {
        "KZ" => "Ministry of Culture and Information of Kazakhstan",
        "KG" => "Ministry of Culture, Information, Sport and Youth Policy",
        "UZ" => "Agency for Information and Mass Communications",
        "TJ" => "Communications Service under the Government",
        "TM" => "State Service for Communications",
        "RU" => "Roskomnadzor",
        _ => "the national communications regulator",
    };

    public static string LawOf(string country) => country switch
    {
        "KZ" => "Article 174 of the Criminal Code and the Law on Mass Media",
        "KG" => "the Law on Protection from False Information",
        "UZ" => "Article 12 of the Law on Informatisation",
        "TJ" => "Article 307 of the Criminal Code",
        "TM" => "the Law on Regulation of the Internet",
        "RU" => "Article 15.3 of Federal Law 149-FZ",
        _ => "national media legislation",
    };
}
