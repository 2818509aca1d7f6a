using Takedowns.Contracts;

namespace Takedowns.Scenarios.FamilyB;

/// <summary>
/// The second scenario family, written apart from the first so that a detector tuned on one is measured on the other.
/// Its world: many very sparse cells (most country x platform x category cells well under one report a week) beside a
/// few dense ones whose level drifts; legitimate senders (rights holders, a state agency) sending the same notice at a
/// steady rate in every country, with bursts of their own; news bursts in whole countries; notices in eight languages
/// and scripts; late reports and one organisation that imports its history weeks later. Planted on it: spikes (some
/// more than 120 days before the end, such as a peak before a referendum) and campaigns of 5 to 40 bogus complaints,
/// many small and edited by 15 to 25 %, some with look-alike letters of the other script and some with claimant names
/// randomised to a pattern. The options mean what they mean for the first family; <see cref="ScenarioOptions.CellsPerCountry"/>
/// gives three times as many sparse cells and a fifth as many dense ones. Deterministic by seed; the null variant of a
/// seed is the same world with nothing planted.
/// </summary>
public static class FamilyBGenerator
{
    /// <summary>Where imported history begins: a planted spike that starts more than this many days before the end.</summary>
    public const int HistoryDays = 120;

    private static readonly string[] CountryCodes = ["KZ", "UZ", "KG", "TJ", "TM", "RU", "AZ", "AM", "GE", "MN", "BY", "MD", "TR", "AF", "UA", "IR"];

    public static Scenario Generate(ScenarioOptions options) => new Builder(options).Build();

    private sealed record Sender(string Claimant, Platform Platform, GroundCategory Category, string Policy, string Template, string Domain, string[] Catalogue, bool Global);

    private sealed class Builder(ScenarioOptions o)
    {
        // Separate streams: the world (cells, senders, news, civic periods) does not depend on what is planted in it.
        private readonly Random _world = new(unchecked(o.Seed * 7_919 + 101));
        private readonly Random _plant = new(unchecked(o.Seed * 7_919 + 202));
        private readonly List<SyntheticReport> _reports = [];
        private readonly List<Cell> _cells = [];
        private readonly List<CivicPeriodSpec> _civic = [];
        private readonly List<OrganicBurst> _bursts = [];
        private readonly List<OrganicBurst> _news = [];
        private readonly Dictionary<string, int[]> _organisations = [];
        private readonly Dictionary<string, string[]> _claimantsOf = [];
        private int _next;
        private string[] _countries = [];

        private int Importer => o.Organisations - 1;
        private DateTimeOffset ImportedAt => At(o.End.AddDays(-40)).AddHours(11);
        private DateOnly PlantFrom => o.Start.AddDays(o.WarmUpDays);

        public Scenario Build()
        {
            _countries = CountryCodes.Take(Math.Min(o.Countries, CountryCodes.Length)).ToArray();
            for (int c = 0; c < _countries.Length; c++)
                _organisations[_countries[c]] = [(2 * c) % o.Organisations, (2 * c + 1) % o.Organisations, Importer];
            foreach (var country in _countries)
                _claimantsOf[country] = Enumerable.Range(0, 120).Select(_ =>
                    _world.Next(3) == 0 ? Names.Patterns[_world.Next(Names.Patterns.Length)](_world) : Names.Person(_world)).ToArray();

            var organic = _countries.ToDictionary(c => c, Cells);
            foreach (var country in _countries) CivicPeriods(country);
            foreach (var country in _countries) NewsBursts(country);
            var senders = Senders();
            var senderBursts = SenderBursts(senders);

            var days = Enumerable.Range(0, o.Days).Select(o.Start.AddDays).ToArray();
            foreach (var country in _countries)
            {
                var countryCells = organic[country];
                var level = new double[countryCells.Count]; // the log-level each dense cell drifts by
                foreach (var day in days)
                {
                    double news = _news.Where(b => b.Country == country && b.Start <= day && day <= b.End).Select(b => b.Factor).DefaultIfEmpty(1).Max();
                    double week = Weekday(day);
                    for (int i = 0; i < countryCells.Count; i++)
                    {
                        var cell = countryCells[i];
                        bool dense = cell.Rate >= 1;
                        if (dense) level[i] = 0.97 * level[i] + Normal(_world) * 0.04;
                        double mean = cell.Rate * week * news * Math.Exp(level[i]);
                        int n = Poisson(_world, Gamma(_world, cell.Size) / cell.Size * mean);
                        for (int k = 0; k < n; k++) Organic(cell, day, spike: null, _world);
                    }
                    foreach (var s in senders)
                    {
                        double rate = SenderRate(s, country);
                        if (rate == 0) continue;
                        double factor = senderBursts.TryGetValue((s.Claimant, day), out double f) ? f : 1;
                        int n = Poisson(_world, rate * factor);
                        for (int k = 0; k < n; k++) FromSender(s, country, day);
                    }
                }
            }

            var spikes = o.Spikes > 0 ? PlantSpikes(organic) : [];
            var campaigns = o.Campaigns > 0 ? PlantCampaigns() : [];
            var cells = organic.Values.SelectMany(c => c).ToList();
            foreach (var s in senders)
                foreach (var country in _countries.Where(c => SenderRate(s, c) > 0))
                    if (!cells.Any(c => c.Country == country && c.Platform == s.Platform && c.Category == s.Category && c.SubjectType == SubjectType.Other))
                        cells.Add(new Cell(country, s.Platform, s.Category, SubjectType.Other, SenderRate(s, country), 1_000));

            var ordered = _reports.OrderBy(r => r.ReportedAt).ThenBy(r => r.ExternalId, StringComparer.Ordinal).ToList();
            return new Scenario(o, cells, ordered, spikes, campaigns, _civic, _bursts);
        }

        // Sparse cells (0.004 to 0.12 a day) in every corner of the taxonomy, a few dense ones (1.5 to 10 a day) where most
        // takedowns are.
        private List<Cell> Cells(string country)
        {
            var cells = new List<Cell>();
            var seen = new HashSet<(Platform, GroundCategory, SubjectType)>();
            var platforms = Enum.GetValues<Platform>();
            var categories = Enum.GetValues<GroundCategory>();
            var subjects = Enum.GetValues<SubjectType>();
            int dense = Math.Max(2, o.CellsPerCountry / 5);
            Platform[] densePlatforms = [Platform.YouTube, Platform.Facebook, Platform.Instagram, Platform.Telegram, Platform.TikTok];
            GroundCategory[] denseCategories = [GroundCategory.CommunityStandards, GroundCategory.IntellectualProperty, GroundCategory.GovernmentRequest];
            while (cells.Count < dense)
            {
                var key = (Pick(_world, densePlatforms), Pick(_world, denseCategories), Pick(_world, [SubjectType.Blogger, SubjectType.IndependentMedia, SubjectType.Journalist]));
                if (!seen.Add(key)) continue;
                cells.Add(new Cell(country, key.Item1, key.Item2, key.Item3, LogUniform(_world, 1.5, 10) * o.RateScale, 3 + _world.NextDouble() * 17));
            }
            for (int attempts = 0; cells.Count < dense + 3 * o.CellsPerCountry && attempts < 10_000; attempts++)
            {
                var key = (Pick(_world, platforms), Pick(_world, categories), Pick(_world, subjects));
                if (!seen.Add(key)) continue;
                cells.Add(new Cell(country, key.Item1, key.Item2, key.Item3, LogUniform(_world, 0.004, 0.12) * o.RateScale, 4));
            }
            return cells;
        }

        // An election, a protest anniversary and, in the first country, a referendum (in March 2026 when the scenario
        // reaches back that far, otherwise early in its history).
        private void CivicPeriods(string country)
        {
            var election = Day(_world, PlantFrom, o.End.AddDays(-14));
            _civic.Add(new CivicPeriodSpec(country, "election", $"{country} parliamentary election", election, election.AddDays(6 + _world.Next(8))));
            var anniversary = Day(_world, o.Start.AddDays(o.WarmUpDays / 2), o.End.AddDays(-3));
            _civic.Add(new CivicPeriodSpec(country, "anniversary", $"Anniversary of the {Names.Pick(_world, Names.Places)} protests", anniversary, anniversary.AddDays(1 + _world.Next(2))));
            if (country != _countries[0] || HistoryWindow() is not { } window) return;
            var (from, to) = window;
            var referendum = new DateOnly(2026, 3, 15);
            if (referendum < from.AddDays(3) || referendum > to) referendum = Day(_world, from.AddDays(3), to);
            _civic.Add(new CivicPeriodSpec(country, "referendum", "Referendum on constitutional amendments", referendum.AddDays(-10), referendum));
        }

        /// <summary>The days a history spike can start on: after the warm-up, more than 120 days before the end; null when none.</summary>
        private (DateOnly From, DateOnly To)? HistoryWindow()
        {
            var to = o.End.AddDays(-HistoryDays - 4);
            return to.DayNumber - PlantFrom.DayNumber >= 7 ? (PlantFrom, to) : null;
        }

        // News-driven rises of every cell of a country: 1.8 to 3 times for 2 to 5 days, about one in four months.
        private void NewsBursts(string country)
        {
            int count = Math.Max(1, (int)Math.Round(o.Days / 120.0));
            for (int i = 0; i < count; i++)
            {
                var start = Day(_world, o.Start.AddDays(o.WarmUpDays / 2), o.End.AddDays(-2));
                var burst = new OrganicBurst(country, start, start.AddDays(1 + _world.Next(4)), 1.8 + 1.2 * _world.NextDouble());
                _news.Add(burst);
                _bursts.Add(burst);
            }
        }

        private List<Sender> Senders() =>
        [
            new("Meridian Music Rights Ltd", Platform.YouTube, GroundCategory.IntellectualProperty, "copyright", "en-ip-contentid", "meridian-music.com",
                ["Steppe Nights (official audio)", "Kokpar Anthem", "Silk Road Sessions vol. 2", "Aral Blues", "Morning in Almaty"], true),
            new("Silk Road Film Distribution", Platform.Facebook, GroundCategory.IntellectualProperty, "copyright", "en-ip-dmca", "silkroad-films.com",
                ["The Last Caravan", "Nomad Winter", "Tengri's Children"], true),
            new("Eurasia Sports Broadcasting", Platform.YouTube, GroundCategory.IntellectualProperty, "copyright", "en-ip-removed", "eurasia-sports.tv",
                ["Premier League matchday highlights", "Kazakhstan Cup final", "Asian Boxing Championship"], true),
            new("", Platform.TikTok, GroundCategory.GovernmentRequest, "local law", "en-gov-withheld", "", [""], false),
        ];

        private double SenderRate(Sender s, string country)
        {
            int c = Array.IndexOf(_countries, country);
            // Fixed per sender and country (not drawn, so the null variant is the same world): 0.3 to 2.5 a day.
            double rate = s.Global ? 0.3 + ((s.Claimant.Length * 7 + c * 13) % 23) / 10.0 : 0.25 + (c % 3) * 0.2;
            return rate * o.RateScale;
        }

        // Each global sender's own bursts (a release, a tournament): 2.5 to 4 times its rate for 1 to 3 days, everywhere.
        private Dictionary<(string, DateOnly), double> SenderBursts(List<Sender> senders)
        {
            var bursts = new Dictionary<(string, DateOnly), double>();
            foreach (var s in senders.Where(s => s.Global))
            {
                int count = Math.Max(1, (int)Math.Round(o.Days / 150.0));
                for (int i = 0; i < count; i++)
                {
                    var start = Day(_world, o.Start.AddDays(o.WarmUpDays / 2), o.End.AddDays(-3));
                    var end = start.AddDays(_world.Next(3));
                    double factor = 2.5 + 1.5 * _world.NextDouble();
                    for (var d = start; d <= end; d = d.AddDays(1)) bursts[(s.Claimant, d)] = factor;
                    foreach (var country in _countries) _bursts.Add(new OrganicBurst(country, start, end, factor));
                }
            }
            return bursts;
        }

        private List<PlantedSpike> PlantSpikes(Dictionary<string, List<Cell>> organic)
        {
            var spikes = new List<PlantedSpike>();
            var history = HistoryWindow();
            int inHistory = history is null ? 0 : Math.Max(1, o.Spikes / 4);
            for (int i = 0; i < o.Spikes; i++)
            {
                bool old = i < inHistory;
                string country = old && i == 0 ? _countries[0] : Pick(_plant, _countries);
                var cells = organic[country];
                var pool = _plant.Next(2) == 0 ? cells.Where(c => c.Rate < 1).ToList() : cells.Where(c => c.Rate >= 1).ToList();
                if (pool.Count == 0) pool = cells;
                int width = _plant.NextDouble() switch { < 0.6 => 1, < 0.85 => 2, _ => 3 };
                var chosen = pool.OrderBy(_ => _plant.Next()).Take(width).ToList();
                int days = (old && i == 0) || _plant.NextDouble() < 0.5 ? 3 : Pick(_plant, [1, 2, 4, 5, 7, 10]);
                double sd = days == 3 ? 3 + 5 * _plant.NextDouble() : 2 + 8 * _plant.NextDouble();
                DateOnly start;
                if (old && i == 0 && _civic.FirstOrDefault(p => p.Type == "referendum") is { } referendum)
                    start = referendum.End.AddDays(-days + 1); // the complaints peak in the days up to the vote
                else if (old) start = Day(_plant, history!.Value.From, history.Value.To);
                else start = Day(_plant, Max(PlantFrom, o.End.AddDays(-HistoryDays + 1)), o.End.AddDays(-days));
                // A quarter of the recent spikes are put in a civic period of their country.
                if (!old && _plant.Next(4) == 0 && _civic.Where(p => p.Country == country && p.Start >= PlantFrom && p.End <= o.End.AddDays(-1)).ToList() is { Count: > 0 } periods)
                    start = Pick(_plant, periods).Start;
                var end = start.AddDays(days - 1);
                var extra = chosen.Select(c => Math.Max(1, (int)Math.Round(sd * c.StandardDeviation))).ToList();
                bool civic = _civic.Any(p => p.Country == country && p.Start <= end && start <= p.End);
                // The size as planted: whole reports, so in a sparse cell one a day is often many standard deviations.
                double realised = chosen.Select((c, k) => extra[k] / c.StandardDeviation).Average();
                var spike = new PlantedSpike(i, chosen, start, end, realised, extra, civic);
                spikes.Add(spike);
                for (var d = start; d <= end; d = d.AddDays(1))
                    for (int c = 0; c < chosen.Count; c++)
                        for (int k = 0; k < extra[c]; k++)
                            Organic(chosen[c], d, i, _plant, organisation: old ? Importer : null);
            }
            return spikes;
        }

        private List<PlantedCampaign> PlantCampaigns()
        {
            var campaigns = new List<PlantedCampaign>();
            Platform[] platforms = [Platform.YouTube, Platform.Facebook, Platform.Instagram, Platform.TikTok, Platform.Telegram, Platform.X, Platform.VK];
            for (int i = 0; i < o.Campaigns; i++)
            {
                string country = Pick(_plant, _countries);
                var language = Pick(_plant, Notices.LanguagesOf(country));
                var platform = Pick(_plant, platforms);
                var (category, policy) = _plant.NextDouble() switch
                {
                    < 0.45 => (GroundCategory.IntellectualProperty, "copyright"),
                    < 0.70 => (GroundCategory.CommunityStandards, Pick(_plant, ["hate speech", "violent extremism", "misinformation"])),
                    < 0.85 => (GroundCategory.Impersonation, "impersonation"),
                    _ => (GroundCategory.LegalRequest, "defamation"),
                };
                double sizeDraw = _plant.NextDouble();
                int size = sizeDraw < 0.5 ? _plant.Next(5, 9) : sizeDraw < 0.85 ? _plant.Next(9, 21) : _plant.Next(21, 41);
                double edit = size <= 8 ? 0.15 + 0.10 * _plant.NextDouble() : 0.05 + 0.20 * _plant.NextDouble();
                bool lookAlike = _plant.NextDouble() < 0.35;
                string style = _plant.NextDouble() < 0.45 ? "random names" : "one claimant";
                var pattern = Names.Patterns[_plant.Next(Names.Patterns.Length)];
                string claimant = pattern(_plant);
                string? domain = category == GroundCategory.IntellectualProperty && _plant.Next(3) > 0 ? Pick(_plant, Names.Domains) : null;
                var signals = new List<string> { "notice text", style == "random names" ? "claimant name pattern" : "claimant", "policy cited" };
                if (domain is not null) signals.Add("claimed-original domain");

                string entity = _plant.Next(2) == 0 ? $"{Names.Pick(_plant, Names.Words)} Holding" : Names.Person(_plant);
                string place = Names.Pick(_plant, Names.Places);
                var sentences = Notices.Complaint[language].OrderBy(_ => _plant.Next()).Take(3 + _plant.Next(2)).ToList();
                string complaint = string.Join(" ", sentences).Replace("{entity}", entity).Replace("{place}", place)
                    .Replace("{date}", Day(_plant, o.Start, o.End).ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture));
                var vocabulary = Notices.Complaint[language].SelectMany(s => s.Split(' ')).Where(w => !w.Contains('{')).Distinct().ToArray();

                var start = At(Day(_plant, PlantFrom, o.End.AddDays(-3))).AddMinutes(_plant.Next(24 * 60));
                double hours = _plant.NextDouble() switch { < 0.5 => 2 + 22 * _plant.NextDouble(), < 0.85 => 24 + 48 * _plant.NextDouble(), _ => 72 + 48 * _plant.NextDouble() };
                var times = Enumerable.Range(0, size).Select(_ => start.AddHours(hours * _plant.NextDouble())).Order().ToList();
                var orgs = _organisations[country];
                foreach (var at in times)
                {
                    string name = style == "random names" ? pattern(_plant) : claimant;
                    string text = Notices.Forwarded[language].Replace("{claimant}", name).Replace("{complaint}", Edit(complaint, edit, vocabulary, _plant));
                    if (lookAlike) text = LookAlikes.Swap(text, 0.25 + 0.35 * _plant.NextDouble(), _plant);
                    if (language == Language.UzLatin) text = LookAlikes.Apostrophise(text, _plant);
                    var subject = Pick(_plant, [SubjectType.IndependentMedia, SubjectType.Journalist, SubjectType.Activist, SubjectType.Blogger, SubjectType.HumanRightsDefender]);
                    var action = category == GroundCategory.Impersonation || _plant.Next(4) == 0 ? TakedownAction.AccountSuspended : TakedownAction.ContentRemoved;
                    Add(Pick(_plant, orgs), platform, Names.Handle(_plant), subject, country, action, category, policy, text, name,
                        domain is null ? null : Names.Url(_plant, domain), at, Delay(_plant, at), campaign: i);
                }
                campaigns.Add(new PlantedCampaign(i, size, times[0], times[^1], platform, policy, style, edit, Notices.IsCyrillic(language) ? 1 : 0, signals, lookAlike));
            }
            return campaigns;
        }

        /// <summary>A share of the words edited: each replaced by another of the language's words, dropped, or followed by one.</summary>
        private static string Edit(string text, double share, string[] vocabulary, Random random)
        {
            var words = text.Split(' ').ToList();
            int edits = (int)Math.Round(share * words.Count);
            for (int e = 0; e < edits && words.Count > 3; e++)
            {
                int at = random.Next(words.Count);
                switch (random.Next(3))
                {
                    case 0: words[at] = Pick(random, vocabulary); break;
                    case 1: words.RemoveAt(at); break;
                    default: words.Insert(at, Pick(random, vocabulary)); break;
                }
            }
            return string.Join(' ', words);
        }

        /// <summary>One ordinary takedown in a cell: a notice of its category in one of its country's languages, or none.</summary>
        private void Organic(Cell cell, DateOnly day, int? spike, Random r, int? organisation = null)
        {
            var at = At(day).AddMinutes(r.Next(24 * 60));
            var language = Pick(r, Notices.LanguagesOf(cell.Country));
            var templates = Notices.Templates.Where(t => t.Category == cell.Category && t.Language == language).ToList();
            if (templates.Count == 0) templates = Notices.Templates.Where(t => t.Category == cell.Category).ToList();
            string? policy = PolicyOf(cell.Category, r);
            string? claimant = cell.Category is GroundCategory.IntellectualProperty or GroundCategory.LegalRequest or GroundCategory.Impersonation
                ? Pick(r, _claimantsOf[cell.Country]) : null;
            string? domain = cell.Category == GroundCategory.IntellectualProperty && r.Next(5) < 3 ? Pick(r, Names.Domains) : null;
            string? text = null;
            if (templates.Count > 0 && r.Next(4) > 0)
            {
                var template = Pick(r, templates);
                text = Fill(template.Text, cell.Country, claimant ?? Names.Person(r), policy ?? "our rules", domain ?? Pick(r, Names.Domains), day, r);
                if (r.Next(5) == 0) text += "\n" + Pick(r, Notices.ReporterNotes[template.Language]);
                if (template.Language == Language.UzLatin) text = LookAlikes.Apostrophise(text, r);
            }
            var action = cell.Category switch
            {
                GroundCategory.GovernmentRequest => TakedownAction.ContentRestricted,
                GroundCategory.Impersonation => TakedownAction.AccountSuspended,
                GroundCategory.CommunityStandards => Pick(r, [TakedownAction.ContentRemoved, TakedownAction.AccountSuspended, TakedownAction.VisibilityReduced, TakedownAction.FeatureRestricted]),
                _ => r.Next(10) == 0 ? TakedownAction.AccountTerminated : TakedownAction.ContentRemoved,
            };
            string handle = Names.Handle(r);
            int org = organisation ?? Pick(r, _organisations[cell.Country]);
            var reported = organisation is not null ? ImportedAt.AddSeconds(_next) : Delay(r, at);
            Add(org, cell.Platform, handle, cell.SubjectType, cell.Country, action, cell.Category, policy, text, claimant,
                domain is null ? null : Names.Url(r, domain), at, reported, spike: spike);
            // A few incidents are reported by a second organisation too.
            if (r.Next(50) == 0 && _organisations[cell.Country].Where(x => x != org).ToArray() is { Length: > 0 } others)
                Add(Pick(r, others), cell.Platform, handle, cell.SubjectType, cell.Country, action, cell.Category, policy, text, claimant,
                    domain is null ? null : Names.Url(r, domain), at, reported.AddHours(1 + r.Next(200)), spike: spike, duplicate: true);
        }

        private void FromSender(Sender s, string country, DateOnly day)
        {
            var r = _world;
            var at = At(day).AddMinutes(r.Next(24 * 60));
            string claimant = s.Global ? s.Claimant : Names.AgencyOf(country);
            var template = Notices.Templates.First(t => t.Id == s.Template);
            string work = Pick(r, s.Catalogue);
            string text = template.Text.Replace("{claimant}", claimant).Replace("{work}", work).Replace("{agency}", claimant)
                .Replace("{law}", Names.LawOf(country)).Replace("{url}", s.Domain.Length == 0 ? "" : $"https://{s.Domain}/catalogue").Replace("{ref}", "standing notice")
                .Replace("{date}", "");
            Add(Pick(r, _organisations[country]), s.Platform, Names.Handle(r), Pick(r, [SubjectType.Other, SubjectType.Blogger]), country,
                s.Category == GroundCategory.GovernmentRequest ? TakedownAction.ContentRestricted : TakedownAction.ContentRemoved,
                s.Category, s.Policy, text, s.Global ? claimant : null, s.Domain.Length == 0 ? null : $"https://{s.Domain}/catalogue/{r.Next(1, 500)}",
                at, Delay(r, at));
        }

        private string Fill(string template, string country, string claimant, string policy, string domain, DateOnly day, Random r) =>
            template.Replace("{claimant}", claimant).Replace("{work}", Names.Work(r)).Replace("{url}", Names.Url(r, domain))
                .Replace("{ref}", Names.Reference(r)).Replace("{date}", day.AddDays(-r.Next(4)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{law}", Names.LawOf(country)).Replace("{agency}", Names.AgencyOf(country)).Replace("{policy}", policy);

        private static string? PolicyOf(GroundCategory category, Random r) => r.Next(6) == 0 ? null : category switch
        {
            GroundCategory.IntellectualProperty => "copyright",
            GroundCategory.CommunityStandards => Pick(r, ["hate speech", "violent extremism", "harassment", "misinformation", "dangerous organisations", "nudity"]),
            GroundCategory.Impersonation => "impersonation",
            GroundCategory.Spam => "spam",
            GroundCategory.LegalRequest => Pick(r, ["defamation", "privacy"]),
            GroundCategory.GovernmentRequest => Pick(r, ["local law", "court order"]),
            _ => null,
        };

        private void Add(int organisation, Platform platform, string handle, SubjectType subject, string country, TakedownAction action,
            GroundCategory category, string? policy, string? text, string? claimant, string? url, DateTimeOffset occurred, DateTimeOffset reported,
            int? campaign = null, int? spike = null, bool duplicate = false)
        {
            // The organisation that imports its history weeks later: everything it saw before then arrives at once.
            if (organisation == Importer && occurred < ImportedAt.AddDays(-30) && reported < ImportedAt) reported = ImportedAt.AddSeconds(_next);
            _reports.Add(new SyntheticReport(organisation, $"b{o.Seed}-{_next++:D7}", platform, handle, subject, country, action, category, policy,
                text, claimant, url, occurred, reported, campaign, spike, duplicate));
        }

        /// <summary>When a takedown is reported: most within hours, a quarter within days, one in twenty weeks or months later.</summary>
        private static DateTimeOffset Delay(Random r, DateTimeOffset occurred) => occurred.AddHours(r.NextDouble() switch
        {
            < 0.70 => Math.Exp(Math.Log(6) + Normal(r)),
            < 0.95 => 24 * (1 + 9 * r.NextDouble()),
            _ => 24 * (20 + 70 * r.NextDouble()),
        });

        private static double Weekday(DateOnly day) => day.DayOfWeek switch
        {
            DayOfWeek.Monday => 1.15, DayOfWeek.Tuesday => 1.1, DayOfWeek.Wednesday => 1.0, DayOfWeek.Thursday => 1.0,
            DayOfWeek.Friday => 0.95, DayOfWeek.Saturday => 0.75, _ => 0.65,
        };
    }

    private static DateTimeOffset At(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Day(Random r, DateOnly from, DateOnly to) => to <= from ? from : from.AddDays(r.Next(to.DayNumber - from.DayNumber + 1));

    private static T Pick<T>(Random r, IReadOnlyList<T> values) => values[r.Next(values.Count)];

    private static double LogUniform(Random r, double low, double high) => Math.Exp(Math.Log(low) + r.NextDouble() * (Math.Log(high) - Math.Log(low)));

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>Poisson by inversion for small means, normal approximation beyond 50.</summary>
    private static int Poisson(Random r, double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 50) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Normal(r)));
        double p = Math.Exp(-mean), cumulative = p, u = r.NextDouble();
        int k = 0;
        while (u > cumulative && k < 1_000) cumulative += p *= mean / ++k;
        return k;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang; the Poisson's mean drawn from it gives a negative binomial count.</summary>
    private static double Gamma(Random r, double shape)
    {
        if (shape < 1) return Gamma(r, shape + 1) * Math.Pow(1 - r.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Normal(r), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1 - r.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }
}
