using System.Globalization;
using MathNet.Numerics.Distributions;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Scenarios.FamilyC;

/// <summary>
/// Scenario family C: a third world, written apart from families A and B, to measure detection on data nobody tuned it
/// on. Up to ten countries of Central Asia and around it. Each country's takedowns split over its cells by platform,
/// ground and subject with a heavy skew (a few dense cells, most seeing under one report a week), with weekly rhythm,
/// public holidays (Nauryz, the Eids, independence days) and, in dense cells, a drifting level. Legitimate senders write
/// the same notice every day: a record label in every country, a sports broadcaster (more at weekends, a tournament), a
/// state agency per country (more before its elections). News bursts raise whole countries. Organisations report
/// hours to months late; one imports its archive near the end. Planted: spikes (3-day bursts of at least 3 SD of the
/// cell's daily count as generated, and others; a third in history more than 120 days back; some in the days before
/// a vote registered as a civic period) and campaigns of 5 to 40 bogus complaints across organisations, sharing at least
/// two signals, in eight languages and scripts, some with look-alike letters and randomised claimant names.
/// </summary>
public static class FamilyCGenerator
{
    /// <summary>The warm-up the benchmark gives family C: short enough that a 200-day scenario has history before the last 120 days.</summary>
    public const int WarmUpDays = 49;

    /// <summary>Spikes and campaigns put in history start more than this many days before the end.</summary>
    public const int HistoryDays = 120;

    public static Scenario Generate(ScenarioOptions options) => new Builder(options).Build();

    /// <summary>
    /// Each cell's expected count a day as generated (weekly rhythm, holidays and drift; news and sender bursts left out),
    /// index 0 being the scenario's first day: what a planted spike's standard deviations are measured against.
    /// </summary>
    public static IReadOnlyDictionary<Cell, double[]> BaselineMeans(ScenarioOptions options) => new Builder(options).Means;

    /// <summary>
    /// Each cell's standard deviation of its daily count as generated (its own negative binomial, and the steady senders'
    /// notices that fall in it), index 0 being the first day: a planted spike adds at least its standard deviations times
    /// this on each of its days.
    /// </summary>
    public static IReadOnlyDictionary<Cell, double[]> BaselineSd(ScenarioOptions options)
    {
        var b = new Builder(options);
        return b.Means.ToDictionary(m => m.Key, m => Enumerable.Range(0, options.Days).Select(t => b.Sd(m.Key, t)).ToArray());
    }

    /// <summary>A notice with look-alike letters turned back and apostrophes made one: what a reader sees.</summary>
    public static string Fold(string text) => Disguise.Fold(text);

    /// <summary>Whether a claimant name follows one of the patterns randomised claimants are drawn from.</summary>
    public static bool FollowsPattern(string claimant) => Builder.PatternOf(claimant) >= 0;

    private sealed class Builder
    {
        private readonly ScenarioOptions _o;
        private readonly int _n;
        private readonly Land[] _lands;
        private readonly Reporter[] _reporters;
        private readonly List<Cell> _cells = [];
        public readonly Dictionary<Cell, double[]> Means = [];
        private readonly Dictionary<string, double[]> _news = [];
        private readonly List<CivicPeriodSpec> _civic = [];
        private readonly List<OrganicBurst> _bursts = [];
        private readonly List<(string Name, string Domain, double Weight)> _claimants = [];
        private readonly HashSet<string> _handles = [];
        private readonly double[] _labelFactor, _tournament;
        private int _newsBursts;

        public Builder(ScenarioOptions options)
        {
            _o = options;
            _n = options.Days;
            _lands = Places.All.Take(Math.Clamp(options.Countries, 1, Places.All.Length)).ToArray();
            _reporters = Reporter.All.Take(Math.Clamp(options.Organisations, 3, Reporter.All.Length)).ToArray();
            var world = Stream(1);
            foreach (var land in _lands) MakeCells(land, world);
            MakeCivicPeriods(world);
            _labelFactor = Enumerable.Repeat(1.0, _n).ToArray();
            _tournament = Enumerable.Repeat(1.0, _n).ToArray();
            MakeBursts(world);
            MakeClaimants(world);
        }

        private Random Stream(int stream)
        {
            // SplitMix64 of seed and stream: streams independent of each other, so nothing planted moves the background.
            ulong z = unchecked((ulong)_o.Seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return new Random((int)((z ^ (z >> 31)) & 0x7FFFFFFF));
        }

        private DateOnly Day(int t) => _o.Start.AddDays(t);

        private void MakeCells(Land land, Random rng)
        {
            var candidates = (from p in land.Platforms from c in Places.Categories from s in Places.Subjects
                              select (Item: (p.Platform, c.Category, s.Subject), Weight: p.Weight * c.Weight * s.Weight)).ToList();
            var chosen = new List<((Platform, GroundCategory, SubjectType) Key, double Weight)>();
            for (int i = 0; i < _o.CellsPerCountry && candidates.Count > 0; i++)
            {
                var pick = Places.Weighted(rng, candidates);
                int at = candidates.FindIndex(c => c.Item == pick);
                chosen.Add((pick, candidates[at].Weight * Gamma.Sample(rng, 0.45, 1)));
                candidates.RemoveAt(at);
            }
            double total = chosen.Sum(c => c.Weight);
            double[] week = [1.12, 1.08, 1.05, 1.02, 0.98, 0.82, 0.73]; // Monday first
            var weekly = week.Select(w => w * (0.94 + 0.12 * rng.NextDouble())).ToArray();
            double meanWeek = weekly.Average();
            var holidays = Holidays(land);
            foreach (var ((platform, category, subject), weight) in chosen)
            {
                double rate = Math.Max(0.003, land.DailyTotal * _o.RateScale * weight / total);
                double size = rate >= 1 ? 4 + 11 * rng.NextDouble() : rate >= 0.15 ? 1.5 + 3.5 * rng.NextDouble() : 0.5 + 1.5 * rng.NextDouble();
                var cell = new Cell(land.Code, platform, category, subject, rate, size);
                // Dense cells drift: a slow mean-reverting walk on the log scale and a trend over the whole scenario.
                bool drifts = rate >= 0.5;
                double x = drifts ? Normal.Sample(rng, 0, 0.15) : 0, trend = drifts ? -0.3 + 0.6 * rng.NextDouble() : 0;
                var means = new double[_n];
                for (int t = 0; t < _n; t++)
                {
                    if (drifts) x = 0.96 * x + Normal.Sample(rng, 0, 0.045);
                    var day = Day(t);
                    double holiday = holidays.Contains(day) ? 0.5 : holidays.Contains(day.AddDays(-1)) ? 0.8 : 1;
                    means[t] = rate * weekly[((int)day.DayOfWeek + 6) % 7] / meanWeek * holiday * Math.Exp(x + trend * t / _n);
                }
                _cells.Add(cell);
                Means[cell] = means;
            }
        }

        private HashSet<DateOnly> Holidays(Land land)
        {
            var days = new HashSet<DateOnly>();
            for (int year = _o.Start.Year; year <= _o.End.Year; year++)
                foreach (var (m, d) in land.Holidays)
                    days.Add(new DateOnly(year, m, d));
            if (land.EidHolidays)
                foreach (var eid in Places.Eids)
                {
                    days.Add(eid);
                    days.Add(eid.AddDays(1));
                }
            return days;
        }

        /// <summary>Per country a vote (election or referendum, its campaign period ending on voting day), in history where there is room, and often an anniversary later.</summary>
        private void MakeCivicPeriods(Random rng)
        {
            int historyLast = _n - 1 - (HistoryDays + 6), earliest = _o.WarmUpDays + 8;
            foreach (var land in _lands)
            {
                var referendum = new DateOnly(2026, 3, 15);
                if (land.Code == "KZ" && referendum >= _o.Start.AddDays(earliest) && referendum <= _o.End)
                    _civic.Add(new CivicPeriodSpec("KZ", "referendum", "Kazakhstan: constitutional referendum", referendum.AddDays(-30), referendum));
                else
                {
                    int vote = earliest <= historyLast ? rng.Next(earliest, historyLast + 1) : rng.Next(Math.Min(earliest, _n - 1), _n);
                    bool election = rng.NextDouble() < 0.6;
                    int length = 21 + rng.Next(15);
                    _civic.Add(new CivicPeriodSpec(land.Code, election ? "election" : "referendum",
                        $"{land.Name}: {(election ? "parliamentary election" : "referendum on amendments")}", Day(Math.Max(0, vote - length + 1)), Day(vote)));
                }
                if (rng.NextDouble() < 0.6 && _n > 120)
                {
                    int at = rng.Next(_n - 110, _n - 5);
                    bool protest = rng.NextDouble() < 0.5;
                    _civic.Add(new CivicPeriodSpec(land.Code, protest ? "protest" : "anniversary",
                        $"{land.Name}: {(protest ? "announced rally" : "anniversary of the unrest")}", Day(at), Day(at + rng.Next(1, 3))));
                }
            }
        }

        /// <summary>News bursts of whole countries, the record label's releases, a tournament, and the agencies before votes.</summary>
        private void MakeBursts(Random rng)
        {
            foreach (var land in _lands) _news[land.Code] = Enumerable.Repeat(1.0, _n).ToArray();
            for (int i = 0; i < _o.OrganicBursts && _n > 30; i++)
            {
                var land = _lands[rng.Next(_lands.Length)];
                int start = rng.Next(14, _n - 6), length = 2 + rng.Next(4);
                double factor = 2 + 1.2 * rng.NextDouble();
                for (int t = start; t < start + length; t++) _news[land.Code][t] *= factor;
                _bursts.Add(new OrganicBurst(land.Code, Day(start), Day(start + length - 1), factor));
            }
            _newsBursts = _bursts.Count;
            for (int i = 0; i < 2 && _n > 30; i++)
            {
                int start = rng.Next(7, _n - 6), length = 3 + rng.Next(3);
                double factor = 3 + 2 * rng.NextDouble();
                for (int t = start; t < start + length; t++) _labelFactor[t] = factor;
                foreach (var land in _lands) _bursts.Add(new OrganicBurst(land.Code, Day(start), Day(start + length - 1), factor));
            }
            if (_n > 40)
            {
                int start = rng.Next(7, _n - 14);
                for (int t = start; t < start + 12; t++) _tournament[t] = 3;
                foreach (var land in _lands.Where(l => Broadcast.Contains(l.Code)))
                    _bursts.Add(new OrganicBurst(land.Code, Day(start), Day(start + 11), 3));
            }
            foreach (var vote in _civic.Where(c => c.Type is "election" or "referendum"))
            {
                var start = vote.End.AddDays(-9) < vote.Start ? vote.Start : vote.End.AddDays(-9);
                _bursts.Add(new OrganicBurst(vote.Country, start, vote.End, AgencyBurst));
            }
        }

        private const double AgencyBurst = 3;
        private static readonly string[] Broadcast = ["KZ", "KG", "UZ", "RU"];

        /// <summary>Ordinary rights holders and complainants: most seldom, a few often; some named as randomised claimants are.</summary>
        private void MakeClaimants(Random rng)
        {
            string[] kinds = ["{0} Studio", "Kino{0}", "{0} Music", "{1} {2}", "{0} Production House", "Telekanal {0}"];
            for (int i = 0; i < 70; i++)
            {
                string name = rng.NextDouble() < 0.15
                    ? Disguise.Patterns[rng.Next(Disguise.Patterns.Length)](rng)
                    : string.Format(CultureInfo.InvariantCulture, kinds[rng.Next(kinds.Length)], Capital(Places.Syllables(rng, 2)),
                        Disguise.Given[rng.Next(Disguise.Given.Length)], Disguise.Surnames[rng.Next(Disguise.Surnames.Length)]);
                _claimants.Add((name, Places.Domain(rng), 1 / Math.Pow(i + 1, 0.8)));
            }
        }

        private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

        public Scenario Build()
        {
            var reports = new List<SyntheticReport>();
            var background = Stream(2);
            foreach (var cell in _cells)
            {
                var means = Means[cell];
                for (int t = 0; t < _n; t++)
                {
                    double mu = means[t] * _news[cell.Country][t];
                    int count = Poisson.Sample(background, Gamma.Sample(background, cell.Size, cell.Size / mu));
                    for (int k = 0; k < count; k++) reports.Add(Ordinary(cell, Day(t), background, null));
                }
            }
            Senders(reports, Stream(3));
            int ordinary = reports.Count;
            for (int i = 0; i < ordinary; i++)
                if (background.NextDouble() < _o.DuplicateShare && Again(reports[i], background) is { } twice) reports.Add(twice);

            var spikes = PlantSpikes(reports, Stream(4));
            var campaigns = PlantCampaigns(reports, Stream(5));
            return new Scenario(_o, _cells, Arrange(reports), spikes, campaigns, _civic, _bursts);
        }

        /// <summary>In the order they arrive, each numbered by its organisation; the archive's import in the order its cases occurred.</summary>
        private List<SyntheticReport> Arrange(List<SyntheticReport> reports)
        {
            var ordered = reports.OrderBy(r => r.ReportedAt).ThenBy(r => r.OccurredAt).ThenBy(r => r.Organisation).ThenBy(r => r.AccountHandle, StringComparer.Ordinal).ToList();
            var counters = new int[_reporters.Length];
            return ordered.Select(r => r with { ExternalId = _reporters[r.Organisation].CaseNumber(++counters[r.Organisation], r) }).ToList();
        }

        private Land LandOf(string code) => _lands.First(l => l.Code == code);

        private Reporter PickReporter(string land, Random rng) =>
            Places.Weighted(rng, _reporters.Where(r => r.Covers(land)).Select(r => (r, r.Weight)).ToList());

        private DateTimeOffset TimeOn(DateOnly day, Random rng)
        {
            int hour = Places.Weighted(rng, Places.HourWeights.Select((w, h) => (h, w)).ToList());
            return new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, rng.Next(60), rng.Next(60))), TimeSpan.Zero);
        }

        private Tongue TongueOf(Land land, Random rng) => Places.Weighted(rng, land.Tongues);

        private static string Apostrophes(string text, Tongue tongue, Random rng) =>
            tongue == Tongue.UzbekLatin && rng.NextDouble() < 0.35 ? Disguise.Apostrophe(text, Disguise.Apostrophes[rng.Next(Disguise.Apostrophes.Length)]) : text;

        /// <summary>An ordinary report in a cell: a platform's notice, often naming the item, sometimes with a complaint it forwards.</summary>
        private SyntheticReport Ordinary(Cell cell, DateOnly day, Random rng, int? spike)
        {
            var land = LandOf(cell.Country);
            var tongue = cell.Category is GroundCategory.CommunityStandards or GroundCategory.IntellectualProperty or GroundCategory.Impersonation or GroundCategory.GovernmentRequest
                ? TongueOf(land, rng) : rng.NextDouble() < 0.5 ? Tongue.English : Tongue.Russian;
            string handle = Places.Handle(rng, _handles);
            string? claimant = null, original = null;
            if (cell.Category == GroundCategory.IntellectualProperty)
            {
                var c = Places.Weighted(rng, _claimants.Select(x => (x, x.Weight)).ToList());
                claimant = c.Name;
                if (rng.NextDouble() < 0.6) original = $"https://{c.Domain}/{Places.Syllables(rng, 1)}/{rng.Next(1000, 99999)}";
            }
            else if (cell.Category == GroundCategory.LegalRequest && rng.NextDouble() < 0.5)
                claimant = _claimants[rng.Next(_claimants.Count)].Name;
            else if (cell.Category == GroundCategory.Impersonation && rng.NextDouble() < 0.4)
                claimant = $"{Disguise.Given[rng.Next(Disguise.Given.Length)]} {Disguise.Surnames[rng.Next(Disguise.Surnames.Length)]}";

            string? text = null;
            if (rng.NextDouble() >= 0.12)
            {
                text = Tongues.PlatformNotice(cell.Category, tongue, rng)
                    .Replace("{platform}", Tongues.PlatformName(cell.Platform)).Replace("{country}", land.Name).Replace("{claimant}", claimant ?? "a rights holder");
                if (rng.NextDouble() < 0.55)
                    text += "\n" + Tongues.ItemLine(tongue, Tongues.Title(tongue, land.Cities[rng.Next(land.Cities.Length)], rng), day.AddDays(-rng.Next(0, 400)), Places.ItemUrl(cell.Platform, handle, rng));
                if (cell.Category is GroundCategory.IntellectualProperty or GroundCategory.Impersonation or GroundCategory.LegalRequest && rng.NextDouble() < 0.4)
                    text += "\n" + Tongues.OrdinaryComplaint(tongue, rng);
                text = Apostrophes(text, tongue, rng);
            }
            var reporter = PickReporter(cell.Country, rng);
            var occurred = TimeOn(day, rng);
            return new SyntheticReport(reporter.Id, "", cell.Platform, handle, cell.SubjectType, cell.Country, Places.Action(cell.Category, rng), cell.Category,
                rng.NextDouble() < 0.85 ? Places.Policy(cell.Platform, cell.Category, rng) : null, text, claimant, original, occurred,
                reporter.ReportedAt(occurred, _o.End, rng), Spike: spike);
        }

        /// <summary>The same takedown reported by a second organisation (counted once in the series).</summary>
        private SyntheticReport? Again(SyntheticReport first, Random rng)
        {
            var others = _reporters.Where(r => r.Covers(first.Country) && r.Id != first.Organisation).ToList();
            if (others.Count == 0) return null;
            var second = others[rng.Next(others.Count)];
            return first with
            {
                Organisation = second.Id, Duplicate = true, ReportedAt = second.ReportedAt(first.OccurredAt, _o.End, rng),
                NoticeText = rng.NextDouble() < 0.3 ? null : first.NoticeText,
            };
        }

        private static readonly string[] Tracks = ["Midnight in Almaty", "Paper Lanterns", "Blue Caravan", "Kettle Song", "River Glass", "Northern Fires", "Salt and Honey", "Long Road Home"];
        private static readonly string[] Matches = ["Кайрат — Астана", "Пахтакор — Насаф", "Дордой — Абдыш-Ата", "Актобе — Тобол", "Бунёдкор — Навбахор", "Спартак — Зенит"];

        private static readonly Dictionary<string, (string Agency, string Text)> Agencies = new()
        {
            ["KZ"] = ("Комитет по надзору за информационным пространством", "Ақпараттық кеңістікті қадағалау комитетінің нұсқамасы: {url} материалы заңнаманы бұзады және шектелуге жатады.\nПредписание Комитета по надзору за информационным пространством: материал {url} нарушает законодательство и подлежит ограничению. № {number}."),
            ["KG"] = ("Маалымат мейкиндигин көзөмөлдөө кызматы", "Маалымат мейкиндигин көзөмөлдөө кызматынын талабы: {url} материалы мыйзамды бузат жана чектелүүгө тийиш.\nТребование службы контроля информационного пространства: материал {url} подлежит ограничению. № {number}."),
            ["UZ"] = ("Axborot makonini nazorat qilish inspeksiyasi", "Axborot makonini nazorat qilish inspeksiyasining talabi: {url} materiali qonunchilikni buzadi va cheklanishi lozim. Talabnoma № {number}."),
            ["TJ"] = ("Хадамоти назорати фазои иттилоотӣ", "Талаботи Хадамоти назорати фазои иттилоотӣ: маводи {url} қонунгузориро вайрон мекунад ва бояд маҳдуд карда шавад. № {number}."),
            ["TM"] = ("Maglumat giňişligine gözegçilik gullugy", "Maglumat giňişligine gözegçilik gullugynyň talaby: {url} materialy kanunçylygy bozýar we çäklendirilmelidir. № {number}."),
            ["RU"] = ("Служба надзора за сетевыми публикациями", "Служба надзора за сетевыми публикациями требует ограничить доступ к материалу {url} как нарушающему законодательство об информации. Требование № {number}."),
        };

        private static readonly (Platform, double)[] LabelPlatforms = [(Platform.YouTube, 0.5), (Platform.Instagram, 0.25), (Platform.TikTok, 0.25)];
        private static readonly (Platform, double)[] SportPlatforms = [(Platform.YouTube, 0.5), (Platform.Telegram, 0.5)];
        private static readonly (Platform, double)[] SportPlatformsRu = [(Platform.VK, 0.5), (Platform.YouTube, 0.25), (Platform.Telegram, 0.25)];
        private static readonly (SubjectType, double)[] SenderSubjects = [(SubjectType.Blogger, 0.4), (SubjectType.IndependentMedia, 0.3), (SubjectType.Journalist, 0.2), (SubjectType.Other, 0.1)];
        private const double LabelRate = 0.35, SportRate = 0.2, AgencyRate = 0.3;

        private static double Share<T>((T Item, double Weight)[] weights, T item) where T : struct =>
            weights.Where(w => EqualityComparer<T>.Default.Equals(w.Item, item)).Sum(w => w.Weight) / weights.Sum(w => w.Weight);

        private double SportFactor(int t) => (((int)Day(t).DayOfWeek + 6) % 7 >= 5 ? 2.5 : 1) * _tournament[t];

        private bool BeforeVote(string land, DateOnly day) =>
            _civic.Any(c => c.Country == land && c.Type is "election" or "referendum" && day <= c.End && day >= c.End.AddDays(-9) && day >= c.Start);

        /// <summary>What the steady senders add to a cell on a day, expected.</summary>
        private double SenderMean(Cell c, int t)
        {
            double subject = Share(SenderSubjects, c.SubjectType), mean = 0;
            if (c.Category == GroundCategory.IntellectualProperty)
            {
                mean += LabelRate * _o.RateScale * _labelFactor[t] * Share(LabelPlatforms, c.Platform);
                if (Broadcast.Contains(c.Country))
                    mean += SportRate * _o.RateScale * SportFactor(t) * Share(c.Country == "RU" ? SportPlatformsRu : SportPlatforms, c.Platform);
            }
            if (c.Category == GroundCategory.GovernmentRequest && Agencies.ContainsKey(c.Country))
                mean += AgencyRate * _o.RateScale * (BeforeVote(c.Country, Day(t)) ? AgencyBurst : 1) * Share(LandOf(c.Country).Platforms, c.Platform);
            return mean * subject;
        }

        /// <summary>The standard deviation of a cell's daily count as generated: its own negative binomial and the senders' Poisson counts.</summary>
        public double Sd(Cell c, int t)
        {
            double mu = Means[c][t];
            return Math.Sqrt(mu + mu * mu / c.Size + SenderMean(c, t));
        }

        /// <summary>Steady legitimate senders: the same notice every day, each with bursts of its own.</summary>
        private void Senders(List<SyntheticReport> reports, Random rng)
        {
            for (int t = 0; t < _n; t++)
            {
                var day = Day(t);
                foreach (var land in _lands)
                {
                    int label = Poisson.Sample(rng, LabelRate * _o.RateScale * _labelFactor[t]);
                    for (int k = 0; k < label; k++)
                    {
                        string track = Tracks[rng.Next(Tracks.Length)];
                        var platform = Places.Weighted(rng, LabelPlatforms);
                        string handle = Places.Handle(rng, _handles);
                        string text = $"Notice of copyright infringement. Brightwater Recordings Ltd owns the exclusive rights in the sound recording \"{track}\". " +
                                      $"The upload at {Places.ItemUrl(platform, handle, rng)} reproduces it without a licence. Please remove it. Ref. BWR-{rng.Next(100000, 999999)}";
                        reports.Add(Sent(land, platform, handle, GroundCategory.IntellectualProperty, "Copyright", text, "Brightwater Recordings Ltd",
                            $"https://brightwater-recs.net/catalogue/{track.ToLowerInvariant().Replace(' ', '-')}", day, rng));
                    }
                    if (Broadcast.Contains(land.Code))
                    {
                        int sport = Poisson.Sample(rng, SportRate * _o.RateScale * SportFactor(t));
                        for (int k = 0; k < sport; k++)
                        {
                            var platform = Places.Weighted(rng, land.Code == "RU" ? SportPlatformsRu : SportPlatforms);
                            string handle = Places.Handle(rng, _handles);
                            string text = $"Правообладатель ООО «Стэп Арена Медиа» сообщает о незаконной ретрансляции матча «{Matches[rng.Next(Matches.Length)]}» по адресу " +
                                          $"{Places.ItemUrl(platform, handle, rng)}. Права на показ принадлежат исключительно нам. Просим прекратить нарушение. Обращение № SA-{rng.Next(10000, 99999)}";
                            reports.Add(Sent(land, platform, handle, GroundCategory.IntellectualProperty, "Copyright", text, "ООО «Стэп Арена Медиа»", "https://steparena.tv/live", day, rng));
                        }
                    }
                    if (Agencies.TryGetValue(land.Code, out var agency))
                    {
                        int orders = Poisson.Sample(rng, AgencyRate * _o.RateScale * (BeforeVote(land.Code, day) ? AgencyBurst : 1));
                        for (int k = 0; k < orders; k++)
                        {
                            var platform = Places.Weighted(rng, land.Platforms);
                            string handle = Places.Handle(rng, _handles);
                            string text = agency.Text.Replace("{url}", Places.ItemUrl(platform, handle, rng))
                                .Replace("{number}", $"{rng.Next(10, 99)}-{rng.Next(1000, 9999)}");
                            reports.Add(Sent(land, platform, handle, GroundCategory.GovernmentRequest, "Government request", text, agency.Agency, null, day, rng));
                        }
                    }
                }
            }
        }

        private SyntheticReport Sent(Land land, Platform platform, string handle, GroundCategory category, string policy, string text, string claimant, string? original, DateOnly day, Random rng)
        {
            var reporter = PickReporter(land.Code, rng);
            var occurred = TimeOn(day, rng);
            var subject = Places.Weighted(rng, SenderSubjects);
            return new SyntheticReport(reporter.Id, "", platform, handle, subject, land.Code, category == GroundCategory.GovernmentRequest ? TakedownAction.ContentRestricted : TakedownAction.ContentRemoved,
                category, policy, text, claimant, original, occurred, reporter.ReportedAt(occurred, _o.End, rng));
        }

        /// <summary>The first day planted truth may start on, and the last day a start counts as history.</summary>
        private (int From, int HistoryLast, int RecentFrom) Windows() => (_o.WarmUpDays, _n - 1 - (HistoryDays + 6), Math.Max(_o.WarmUpDays, _n - HistoryDays));

        private List<PlantedSpike> PlantSpikes(List<SyntheticReport> reports, Random rng)
        {
            var spikes = new List<PlantedSpike>();
            var (from, historyLast, recentFrom) = Windows();
            bool history = historyLast - from >= 6;
            var taken = new List<(string Country, int Start, int End)>();
            foreach (var b in _bursts.Take(_newsBursts)) taken.Add((b.Country, b.Start.DayNumber - _o.Start.DayNumber, b.End.DayNumber - _o.Start.DayNumber));
            for (int i = 0; i < _o.Spikes; i++)
            {
                bool reference = rng.NextDouble() < 0.7;
                int days = reference ? 3 : new[] { 1, 2, 4, 5, 6 }[rng.Next(5)];
                double sd = reference ? 3 + 3 * rng.NextDouble() : 2.5 + 4.5 * rng.NextDouble();
                bool inHistory = history && i % 3 == 0;
                var land = _lands[rng.Next(_lands.Length)];
                var cells = _cells.Where(c => c.Country == land.Code).ToList();
                // Some end on voting day of a registered vote.
                // Some end on (or the day before) the last day of a civic period: in history a vote's, later any.
                var periods = _civic.Where(c => c.Country == land.Code && (!inHistory || c.Type is "election" or "referendum")).ToList();
                bool aligned = periods.Count > 0 && rng.NextDouble() < (inHistory ? 0.6 : 0.25);
                for (int attempt = 0; attempt < 200; attempt++)
                {
                    int start;
                    if (aligned && attempt < 20)
                        start = periods[rng.Next(periods.Count)].End.DayNumber - _o.Start.DayNumber - days + 1 - rng.Next(2);
                    else if (inHistory) start = rng.Next(from, historyLast + 1);
                    else start = rng.Next(recentFrom, _n - days + 1);
                    if (start < from || start + days > _n || (inHistory ? start > historyLast : start < recentFrom)) continue;
                    var chosen = Cells(cells, rng);
                    int end = start + days - 1;
                    // Apart from the country's news bursts and its other planted spikes, so that each is found (or not) on its own.
                    if (taken.Any(x => x.Country == land.Code && x.Start - 4 <= end && start <= x.End + 4)) continue;
                    var extra = chosen.Select(c => Math.Max(1, (int)Math.Ceiling(sd * Enumerable.Range(start, days).Max(t => Sd(c, t)) - 1e-9))).ToList();
                    int index = spikes.Count;
                    for (int k = 0; k < chosen.Count; k++)
                        for (int t = start; t <= end; t++)
                            for (int e = 0; e < extra[k]; e++)
                                reports.Add(Ordinary(chosen[k], Day(t), rng, index));
                    taken.Add((land.Code, start, end));
                    bool civic = _civic.Any(c => c.Country == land.Code && c.Start <= Day(end) && Day(start) <= c.End);
                    spikes.Add(new PlantedSpike(index, chosen, Day(start), Day(end), sd, extra, civic));
                    break;
                }
            }
            return spikes;
        }

        /// <summary>One to three cells of a country, sparse, middling or dense; several share a platform or a ground.</summary>
        private static List<Cell> Cells(List<Cell> cells, Random rng)
        {
            double u = rng.NextDouble();
            var regime = cells.Where(c => u < 0.4 ? c.Rate < 0.15 : u < 0.7 ? c.Rate >= 0.15 && c.Rate < 1 : c.Rate >= 1).ToList();
            if (regime.Count == 0) regime = cells;
            var first = regime[rng.Next(regime.Count)];
            var chosen = new List<Cell> { first };
            int more = rng.NextDouble() < 0.6 ? 0 : rng.NextDouble() < 0.7 ? 1 : 2;
            var related = cells.Where(c => c != first && (c.Platform == first.Platform || c.Category == first.Category)).ToList();
            for (int k = 0; k < more && related.Count > 0; k++)
            {
                var next = related[rng.Next(related.Count)];
                chosen.Add(next);
                related.Remove(next);
            }
            return chosen;
        }

        private static readonly (Tongues.Kind, double)[] Kinds = [(Tongues.Kind.Copyright, 0.35), (Tongues.Kind.Extremism, 0.3), (Tongues.Kind.Impersonation, 0.15), (Tongues.Kind.Defamation, 0.2)];
        private static readonly (SubjectType, double)[] Targets = [(SubjectType.IndependentMedia, 0.35), (SubjectType.Journalist, 0.3), (SubjectType.Blogger, 0.2), (SubjectType.Activist, 0.15)];

        private static readonly string[] OneClaimant =
            ["Silk Route Content Guard", "Qazaq Heritage Media Foundation", "Central Asia Anti-Piracy Bureau", "Eurasian Reputation Partners", "Citizens for Public Order", "Turan Brand Protection"];
        private static readonly string[] RespeltClaimant = ["Kazmedia Rights Centre", "Orda Legal Centre", "Steppe Monitoring Centre", "Sogd Media Rights Centre"];

        private List<PlantedCampaign> PlantCampaigns(List<SyntheticReport> reports, Random rng)
        {
            var campaigns = new List<PlantedCampaign>();
            var (from, historyLast, recentFrom) = Windows();
            bool history = historyLast - from >= 3;
            int min = Math.Max(1, Math.Max(5, _o.MinCampaignSize)), max = Math.Max(min, Math.Min(40, _o.MaxCampaignSize));
            for (int i = 0; i < _o.Campaigns; i++)
            {
                double sizeClass = rng.NextDouble();
                var (lo, hi, editLo, editHi) = sizeClass < 0.4 ? (5, 8, 0.15, 0.25) : sizeClass < 0.75 ? (9, 20, 0.03, 0.12) : (21, 40, 0.0, 0.08);
                int size = Math.Clamp(rng.Next(lo, hi + 1), min, max);
                double edit = editLo + (editHi - editLo) * rng.NextDouble();
                double s = rng.NextDouble();
                string style = s < 0.45 ? "random names" : s < 0.70 ? "one claimant" : s < 0.85 ? "spelling variants" : "no claimant";
                bool lookAlike = rng.NextDouble() < 0.35;
                var kind = Places.Weighted(rng, Kinds);
                var category = Tongues.Category(kind);
                var land = _lands[rng.Next(_lands.Length)];
                var tongue = rng.NextDouble() < 0.15 ? Tongue.English : TongueOf(land, rng);
                Platform[] suits = kind switch
                {
                    Tongues.Kind.Copyright => [Platform.YouTube, Platform.Instagram, Platform.TikTok, Platform.Facebook],
                    Tongues.Kind.Impersonation => [Platform.Instagram, Platform.Facebook, Platform.TikTok, Platform.Telegram],
                    Tongues.Kind.Defamation => [Platform.YouTube, Platform.Facebook, Platform.X, Platform.Telegram],
                    _ => [Platform.Facebook, Platform.Instagram, Platform.TikTok, Platform.YouTube],
                };
                var platform = Places.Weighted(rng, land.Platforms.Where(p => suits.Contains(p.Platform)).DefaultIfEmpty((suits[0], 1.0)).ToList());
                string policy = Places.Policy(platform, category, rng);
                var action = kind switch
                {
                    Tongues.Kind.Impersonation => TakedownAction.AccountSuspended,
                    Tongues.Kind.Defamation => TakedownAction.ContentRestricted,
                    Tongues.Kind.Extremism => rng.NextDouble() < 0.5 ? TakedownAction.ContentRemoved : TakedownAction.AccountSuspended,
                    _ => TakedownAction.ContentRemoved,
                };
                bool sharedDomain = style switch { "one claimant" => rng.NextDouble() < 0.6, "random names" => rng.NextDouble() < 0.5, "spelling variants" => rng.NextDouble() < 0.4, _ => true };
                string domain = Places.Domain(rng);
                string work = Tongues.Works[rng.Next(Tongues.Works.Length)];
                int pattern = rng.Next(Disguise.Patterns.Length);
                string oneName = rng.NextDouble() < 0.5 ? OneClaimant[rng.Next(OneClaimant.Length)] : Disguise.Patterns[pattern](rng);
                string respelt = RespeltClaimant[rng.Next(RespeltClaimant.Length)];
                bool disguiseClaimant = lookAlike && rng.NextDouble() < 0.5;

                double spanHours = Math.Exp(Math.Log(2) + (Math.Log(120) - Math.Log(2)) * rng.NextDouble());
                int spanDays = (int)Math.Ceiling(spanHours / 24);
                bool inHistory = history && rng.NextDouble() < 0.35;
                int startDay = inHistory ? rng.Next(from, historyLast + 1) : rng.Next(recentFrom, Math.Max(recentFrom + 1, _n - spanDays));
                var start = new DateTimeOffset(Day(startDay).ToDateTime(new TimeOnly(3 + rng.Next(12), rng.Next(60))), TimeSpan.Zero);
                var last = new DateTimeOffset(_o.End.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero);
                double shape = rng.NextDouble() < 0.5 ? 1 : 2; // uniform over the span, or most of it early
                var times = Enumerable.Range(0, size).Select(_ => start.AddHours(spanHours * Math.Pow(rng.NextDouble(), shape))).Select(t => t > last ? last : t).Order().ToList();

                var covering = _reporters.Where(r => r.Covers(land.Code)).OrderBy(_ => rng.Next()).ToList();
                var senders = covering.Take(Math.Min(covering.Count, 2 + rng.Next(3))).ToList();
                for (int k = 0; k < size; k++)
                {
                    var reporter = k < senders.Count ? senders[k] : senders[rng.Next(senders.Count)];
                    string handle = Places.Handle(rng, _handles);
                    var subject = Places.Weighted(rng, Targets);
                    string text = Tongues.CampaignTemplate(kind, tongue).Replace("{work}", work).Replace("{domain}", domain).Replace("{url}", Places.ItemUrl(platform, handle, rng));
                    text = Disguise.Edit(text, edit, Tongues.Fillers[tongue], rng);
                    if (tongue == Tongue.UzbekLatin) text = Disguise.Apostrophe(text, Disguise.Apostrophes[rng.Next(Disguise.Apostrophes.Length)]);
                    if (lookAlike && rng.NextDouble() < 0.85) text = Disguise.LookAlike(text, 0.1 + 0.3 * rng.NextDouble(), rng);
                    string? claimant = style switch
                    {
                        "random names" => Disguise.Patterns[pattern](rng),
                        "one claimant" => oneName,
                        "spelling variants" => Disguise.Respell(respelt, rng),
                        _ => null,
                    };
                    if (claimant is not null && disguiseClaimant) claimant = Disguise.LookAlike(claimant, 0.3, rng);
                    string? original = sharedDomain ? $"https://{domain}/{(kind == Tongues.Kind.Copyright ? "video" : "statement")}/{rng.Next(1000, 99999)}" : null;
                    reports.Add(new SyntheticReport(reporter.Id, "", platform, handle, subject, land.Code, action, category, policy, text, claimant, original, times[k],
                        reporter.ReportedAt(times[k], _o.End, rng), Campaign: i));
                }
                var signals = new List<string> { "notice text" };
                if (style == "random names") signals.Add("claimant name pattern");
                else if (style == "one claimant") signals.Add("claimant");
                else if (style == "spelling variants") signals.Add("claimant spelling variants");
                if (sharedDomain) signals.Add("claimed-original domain");
                signals.Add("policy cited");
                campaigns.Add(new PlantedCampaign(i, size, times[0], times[^1], platform, policy, style, edit, Tongues.Cyrillic(tongue) ? 1 : 0, signals, lookAlike));
            }
            return campaigns;
        }

        /// <summary>Which pattern a claimant name follows (look-alike letters folded), or -1.</summary>
        public static int PatternOf(string claimant)
        {
            string name = Disguise.Fold(claimant);
            string[] shapes =
            [
                @"^\S+ Media Group$", @"^ТОО «\S+ Продакшн»$", @"^\S+ & Partners Law Firm$", @"^MChJ «\S+ Kontent»$", @"^\S+ Rights Agency$", @"^\S+ \S+ \(rights holder\)$",
            ];
            // Folding turns the Cyrillic look-alikes of the second pattern into Latin too: compare both ways.
            for (int i = 0; i < shapes.Length; i++)
                if (System.Text.RegularExpressions.Regex.IsMatch(name, Disguise.Fold(shapes[i])) || System.Text.RegularExpressions.Regex.IsMatch(claimant, shapes[i])) return i;
            return -1;
        }
    }
}
