using MathNet.Numerics.Distributions;
using Takedowns.Contracts;

namespace Takedowns.Scenarios;

/// <summary>
/// Generates a world of takedown reports: per country a set of cells with negative-binomial baselines (0.02 to 10 a day,
/// weekly seasonality), reporting delays, incidents reported twice by two organisations, legitimate high-volume
/// claimants whose notices share legal boilerplate, news-driven bursts, civic periods, and the planted truth: spikes
/// (1 to 10 standard deviations, 1 to 14 days, 1 to 4 cells, some inside civic periods) and campaigns (3 to 100 takedowns
/// over 1 hour to 7 days, randomised claimants, 5 to 30 % of the notice edited, Cyrillic and Latin copies).
/// </summary>
public sealed class ScenarioGenerator
{
    private static readonly string[] CountryCodes = ["KZ", "KG", "UZ", "TJ", "AZ", "AM", "GE", "BY", "RS", "TR", "MD", "MN"];
    private static readonly Platform[] Platforms = [Platform.YouTube, Platform.Facebook, Platform.Instagram, Platform.Telegram, Platform.X, Platform.TikTok, Platform.VK];
    private static readonly GroundCategory[] Categories =
        [GroundCategory.IntellectualProperty, GroundCategory.CommunityStandards, GroundCategory.Impersonation, GroundCategory.Spam, GroundCategory.LegalRequest];
    private static readonly SubjectType[] SubjectTypes =
        [SubjectType.IndependentMedia, SubjectType.Journalist, SubjectType.Blogger, SubjectType.Cso, SubjectType.Activist];
    private static readonly double[] Weekday = [0.6, 1.1, 1.15, 1.1, 1.1, 1.05, 0.9]; // Sunday first

    private readonly ScenarioOptions _o;
    private readonly Random _random;
    private readonly Words _words;
    private readonly List<SyntheticReport> _reports = [];
    private readonly Dictionary<(Platform, GroundCategory), (string Policy, string Boilerplate)> _policies = [];
    private readonly List<(string Name, string Boilerplate, double Weight)> _rightsHolders = [];
    private readonly Dictionary<string, int[]> _organisationsOf = [];
    private int _serial;

    private ScenarioGenerator(ScenarioOptions options)
    {
        _o = options;
        _random = new Random(options.Seed);
        _words = new Words(_random);
    }

    public static Scenario Generate(ScenarioOptions options) => new ScenarioGenerator(options).Run();

    private Scenario Run()
    {
        var countries = CountryCodes.Take(Math.Clamp(_o.Countries, 1, CountryCodes.Length)).ToArray();
        foreach (var c in countries)
            _organisationsOf[c] = Enumerable.Range(0, _o.Organisations).OrderBy(_ => _random.Next()).Take(Math.Min(3, _o.Organisations)).ToArray();
        foreach (var p in Platforms)
        foreach (var g in Categories)
            _policies[(p, g)] = ($"{WireNames<Platform>.Of(p)} {PolicyName(g)} policy",
                $"{p} received a notice under its {PolicyName(g)} policy.\nWe reviewed the notice and took action on the content or account.\nIf you believe this was a mistake you can appeal within 30 days.");
        // A handful of legitimate rights holders file most copyright notices, each with its own legal boilerplate.
        for (int i = 0; i < 8; i++)
            _rightsHolders.Add((_words.Company(), $"Notice of claimed infringement filed by an authorised agent under penalty of perjury.\n" +
                $"The rights holder {i} reserves all rights under applicable copyright law.\n", Math.Pow(0.6, i)));

        var cells = new List<Cell>();
        foreach (var country in countries)
        {
            var combos = (from p in Platforms from g in Categories from s in SubjectTypes select (p, g, s)).OrderBy(_ => _random.Next()).Take(_o.CellsPerCountry);
            foreach (var (p, g, s) in combos)
                cells.Add(new Cell(country, p, g, s, _o.RateScale * Math.Exp(Math.Log(0.02) + _random.NextDouble() * (Math.Log(10) - Math.Log(0.02))), 1 + _random.NextDouble() * 9));
        }

        var periods = new List<CivicPeriodSpec>();
        string[] types = ["election", "referendum", "protest", "anniversary", "other"];
        foreach (var country in countries)
            for (int i = 0, n = _random.Next(1, 3); i < n; i++)
            {
                var start = _o.Start.AddDays(_random.Next(_o.WarmUpDays / 2, _o.Days - 14));
                string type = types[_random.Next(types.Length)];
                periods.Add(new CivicPeriodSpec(country, type, $"{_words.Syllabic()} {type}", start, start.AddDays(_random.Next(2, 14))));
            }

        var bursts = new List<OrganicBurst>();
        for (int i = 0; i < _o.OrganicBursts; i++)
        {
            var start = _o.Start.AddDays(_random.Next(_o.WarmUpDays, _o.Days - 5));
            bursts.Add(new OrganicBurst(countries[_random.Next(countries.Length)], start, start.AddDays(_random.Next(1, 5)), 1.5 + _random.NextDouble()));
        }

        // The baseline, day by day, with news-driven bursts on top.
        for (var day = _o.Start; day <= _o.End; day = day.AddDays(1))
            foreach (var cell in cells)
            {
                double factor = Weekday[(int)day.DayOfWeek] * bursts.Where(b => b.Country == cell.Country && b.Start <= day && day <= b.End).Select(b => b.Factor).DefaultIfEmpty(1).Max();
                double mean = cell.Rate * factor;
                // Negative binomial as a gamma-Poisson mixture (MathNet's own sampler does not honour its parameters).
                int count = Poisson.Sample(_random, Gamma.Sample(_random, cell.Size, cell.Size / mean));
                for (int k = 0; k < count; k++) Background(cell, day, spike: null);
            }

        var spikes = new List<PlantedSpike>();
        for (int i = 0; i < _o.Spikes; i++) spikes.Add(PlantSpike(i, cells, periods));
        var campaigns = new List<PlantedCampaign>();
        for (int i = 0; i < _o.Campaigns; i++) campaigns.Add(PlantCampaign(i, countries));

        // Arrival order: what a bulk import or a live feed would see.
        var reports = _reports.OrderBy(r => r.ReportedAt).ThenBy(r => r.ExternalId, StringComparer.Ordinal).ToList();
        return new Scenario(_o, cells, reports, spikes, campaigns, periods, bursts);
    }

    private static string PolicyName(GroundCategory g) => g switch
    {
        GroundCategory.IntellectualProperty => "copyright",
        GroundCategory.CommunityStandards => "community guidelines",
        GroundCategory.Impersonation => "impersonation",
        GroundCategory.Spam => "spam and deceptive practices",
        _ => "legal removal",
    };

    private static TakedownAction ActionFor(GroundCategory g, Random random) => g switch
    {
        GroundCategory.IntellectualProperty => random.NextDouble() < 0.7 ? TakedownAction.ContentRemoved : TakedownAction.AccountSuspended,
        GroundCategory.Impersonation => TakedownAction.AccountSuspended,
        GroundCategory.Spam => random.NextDouble() < 0.5 ? TakedownAction.AccountSuspended : TakedownAction.VisibilityReduced,
        _ => random.NextDouble() < 0.5 ? TakedownAction.ContentRemoved : TakedownAction.ContentRestricted,
    };

    private DateTimeOffset TimeOn(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(_random.Next(0, 86_400));

    /// <summary>Reports usually arrive within days, some weeks later.</summary>
    private DateTimeOffset Arrival(DateTimeOffset occurred) =>
        occurred.AddHours(_random.NextDouble() < 0.85 ? _random.Next(1, 72) : _random.Next(72, 24 * 45));

    private int OrganisationIn(string country) => _organisationsOf[country][_random.Next(_organisationsOf[country].Length)];

    private string NextExternalId() => $"syn-{_o.Seed}-{++_serial:D7}";

    /// <summary>An ordinary takedown in a cell: the platform's template, a claimant only where the policy has one.</summary>
    private void Background(Cell cell, DateOnly day, int? spike)
    {
        var (policy, boilerplate) = _policies[(cell.Platform, cell.Category)];
        string? claimant = null, url = null;
        string text = boilerplate;
        if (cell.Category == GroundCategory.IntellectualProperty)
        {
            bool big = _random.NextDouble() < 0.6;
            if (big)
            {
                var holder = PickRightsHolder();
                claimant = holder.Name;
                text += "\n" + holder.Boilerplate + $"The work \"{_words.Syllabic()} {_words.Syllabic()}\" ({_words.Topic()}) was copied.";
            }
            else
            {
                claimant = _random.NextDouble() < 0.5 ? _words.Company() : _words.Person();
                text += "\n" + _words.Complaint();
            }
            url = $"https://{(big ? "catalogue.example" : _words.Domain())}/w/{_random.Next(100000, 999999)}";
        }
        else if (cell.Category is GroundCategory.Impersonation or GroundCategory.LegalRequest && _random.NextDouble() < 0.5)
        {
            claimant = _random.NextDouble() < 0.5 ? _words.Company() : _words.Person();
            text += "\n" + _words.Complaint();
        }
        var occurred = TimeOn(day);
        var report = new SyntheticReport(OrganisationIn(cell.Country), NextExternalId(), cell.Platform, _words.Handle(), cell.SubjectType,
            cell.Country, ActionFor(cell.Category, _random), cell.Category, policy, text, claimant, url, occurred, Arrival(occurred), Spike: spike);
        _reports.Add(report);
        if (_random.NextDouble() < _o.DuplicateShare)
        {
            // The same takedown reported by another organisation working in the country, a little later.
            int other = _organisationsOf[cell.Country].FirstOrDefault(o => o != report.Organisation, report.Organisation);
            if (other != report.Organisation)
                _reports.Add(report with { Organisation = other, ExternalId = NextExternalId(), ReportedAt = report.ReportedAt.AddHours(_random.Next(1, 48)), Duplicate = true });
        }
    }

    private (string Name, string Boilerplate, double Weight) PickRightsHolder()
    {
        double total = _rightsHolders.Sum(h => h.Weight), x = _random.NextDouble() * total;
        foreach (var h in _rightsHolders)
            if ((x -= h.Weight) <= 0) return h;
        return _rightsHolders[^1];
    }

    private PlantedSpike PlantSpike(int index, IReadOnlyList<Cell> cells, IReadOnlyList<CivicPeriodSpec> periods)
    {
        var country = cells[_random.Next(cells.Count)].Country;
        var candidates = cells.Where(c => c.Country == country).OrderBy(_ => _random.Next()).Take(_random.Next(1, 5)).ToList();
        // Half the spikes are the benchmark's reference case (a 3-day burst of 3 or more standard deviations).
        bool reference = index % 2 == 0;
        int days = reference ? 3 : _random.Next(1, 15);
        double sds = reference ? 3 + _random.NextDouble() * 3 : 1 + _random.NextDouble() * 9;
        var civic = periods.Where(p => p.Country == country).ToList();
        bool inPeriod = civic.Count > 0 && _random.NextDouble() < 0.4;
        DateOnly start = inPeriod
            ? civic[_random.Next(civic.Count)].Start
            : _o.Start.AddDays(_random.Next(_o.WarmUpDays, _o.Days - days));
        if (start.AddDays(days - 1) > _o.End) start = _o.End.AddDays(-(days - 1));
        var extra = candidates.Select(c => Math.Max(1, (int)Math.Round(sds * c.StandardDeviation))).ToList();
        for (var day = start; day < start.AddDays(days); day = day.AddDays(1))
            for (int i = 0; i < candidates.Count; i++)
                for (int k = 0; k < extra[i]; k++) Background(candidates[i], day, index);
        return new PlantedSpike(index, candidates, start, start.AddDays(days - 1), sds, extra, inPeriod);
    }

    private PlantedCampaign PlantCampaign(int index, IReadOnlyList<string> countries)
    {
        int size = (int)Math.Round(Math.Exp(Math.Log(_o.MinCampaignSize) + _random.NextDouble() * (Math.Log(_o.MaxCampaignSize) - Math.Log(_o.MinCampaignSize))));
        var span = TimeSpan.FromHours(Math.Exp(_random.NextDouble() * Math.Log(24 * 7)));
        var start = TimeOn(_o.Start.AddDays(_random.Next(_o.WarmUpDays, _o.Days - 8)));
        var platform = Platforms[_random.Next(Platforms.Length)];
        var category = _random.NextDouble() < 0.6 ? GroundCategory.IntellectualProperty : _random.NextDouble() < 0.5 ? GroundCategory.CommunityStandards : GroundCategory.Impersonation;
        var (policy, boilerplate) = _policies[(platform, category)];
        string style = new[] { "same name", "name pattern", "random names" }[index % 3];
        double edit = _o.MinEdit + _random.NextDouble() * (_o.MaxEdit - _o.MinEdit);
        double cyrillic = _random.NextDouble() < 0.5 ? 0.3 : 0;
        string baseText = _words.Complaint() + " " + _words.Complaint();
        string fixedName = _words.Company();
        string[] suffix = ["Media Group", "Rights Agency", "Content Protection"];
        string pattern = suffix[_random.Next(suffix.Length)];
        string? domain = category == GroundCategory.IntellectualProperty ? _words.Domain() : null;
        var targetCountries = countries.OrderBy(_ => _random.Next()).Take(_random.Next(1, 4)).ToArray();
        var signals = new List<string> { "near-identical notice text", "policy cited" };
        if (style != "random names") signals.Add(style == "same name" ? "claimant" : "claimant name pattern");
        if (domain is not null) signals.Add("claimed original domain");

        for (int i = 0; i < size; i++)
        {
            string country = targetCountries[_random.Next(targetCountries.Length)];
            string claimant = style switch
            {
                "same name" => fixedName,
                "name pattern" => $"{_words.Syllabic()} {pattern}",
                _ => _random.NextDouble() < 0.5 ? _words.Company() : _words.Person(),
            };
            string text = _words.Edit(baseText, edit);
            if (_random.NextDouble() < cyrillic) text = _random.NextDouble() < 0.5 ? Words.Cyrillic(text) : _words.Homoglyphs(text);
            var occurred = start + span * _random.NextDouble();
            _reports.Add(new SyntheticReport(OrganisationIn(country), NextExternalId(), platform, _words.Handle(),
                SubjectTypes[_random.Next(SubjectTypes.Length)], country, ActionFor(category, _random), category, policy,
                boilerplate + "\n" + text, claimant, domain is null ? null : $"https://{domain}/v/{_random.Next(1000, 9999)}",
                occurred, occurred.AddHours(_random.Next(1, 48)), Campaign: index));
        }
        return new PlantedCampaign(index, size, start, start + span, platform, policy, style, edit, cyrillic, signals);
    }
}
