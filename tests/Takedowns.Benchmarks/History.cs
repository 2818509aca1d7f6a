using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Takedowns.Scenarios;
using Takedowns.Testing;

namespace Takedowns.Benchmarks;

/// <summary>
/// A large history imported and analysed through the running system: a generated scenario of a year or more (about
/// <c>target</c> reports, several organisations), uploaded through the gateway as CSV files of at most
/// <c>fileRows</c> rows each, organisation after organisation in turn, then timed stage by stage: until every import
/// completed, until Correlation held every report, until each of its projections and subscriptions had processed every
/// event, until the spike scanner had scanned every change, and until the spikes and campaigns were read back through
/// the analysis API. Prints each stage's rate, the CPU each process spent in it, and the statements PostgreSQL spent its
/// time on.
/// </summary>
public static class HistoryThroughApi
{
    /// <summary>Correlation's <c>Detection:HeldMegabytes</c> for the run (<c>--held-megabytes</c>).</summary>
    public static int HeldMegabytes { get; set; } = 1024;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly double Tick = 1.0 / 100; // USER_HZ

    public static async Task<int> RunAsync(int target, ScenarioFamily family, int countries, int days, int fileRows, int seed)
    {
        var generating = Stopwatch.StartNew();
        var (scenario, scale) = Generate(target, family, countries, days, seed);
        int n = scenario.Reports.Count;
        Console.WriteLine(string.Create(C,
            $"History through the API, family {FamilyMeasures.Name(family)}: {n:N0} reports ({countries} countries, {days} days from {scenario.Options.Start:yyyy-MM-dd} to {scenario.Options.End:yyyy-MM-dd}, rates x {scale:F2}, {scenario.Campaigns.Count} planted campaigns, {scenario.Spikes.Count} planted spikes), generated in {generating.Elapsed.TotalSeconds:F0} s"));

        string applicationPrefix = "hist" + Guid.NewGuid().ToString("N")[..6];
        var services = new[] { "intake", "correlation", "publishing", "gateway" };
        var settings = services.ToDictionary(s => s, s => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>
        {
            // Named connections: PostgreSQL's CPU is told apart per service (and from other users of the server).
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnection) { ApplicationName = $"{applicationPrefix}-{s}" }.ConnectionString,
        });
        ((Dictionary<string, string>)settings["correlation"])["Detection:ScanInterval"] = TimeSpan.FromSeconds(10).ToString("c", C);
        // An imported history is where holding more between pages pays (README, "Campaigns"); the default keeps a live service small.
        ((Dictionary<string, string>)settings["correlation"])["Detection:HeldMegabytes"] = HeldMegabytes.ToString(C);
        // Detection's own lines and the event store's agents (pages, pauses, retries) go to a file per service.
        foreach (string category in new[] { "Takedowns", "Marten", "JasperFx" })
            ((Dictionary<string, string>)settings["correlation"])[$"Logging:LogLevel:{category}"] = "Information";
        // And where each page of campaign detection spends its time.
        ((Dictionary<string, string>)settings["correlation"])[$"Logging:LogLevel:{typeof(Takedowns.Correlation.Campaigns.CampaignLinker).FullName}"] = "Debug";
        string logs = Path.Combine(Path.GetTempPath(), applicationPrefix);
        Console.WriteLine($"Each service's output: {logs}");
        var system = new RunningSystem { Settings = settings, LogDirectory = logs };
        await system.InitializeAsync();
        await using var sampler = new CpuSampler(system.ProcessIds, applicationPrefix);
        try
        {
            var statementsBefore = await StatementsAsync(system);
            double pgbenchBefore = await Pgbench.InsertsPerSecondAsync(10);
            Console.WriteLine(string.Create(C, $"pgbench before the run (single-row inserts, 8 clients, 10 s): {pgbenchBefore:F0} tps"));
            var walBefore = await WalAsync();
            using var http = system.Client();
            http.Timeout = TimeSpan.FromMinutes(30);
            string intake = system.Schema("intake"), correlation = system.Schema("correlation");
            var marks = new List<(string Stage, TimeSpan At, CpuSampler.Reading Cpu)>();
            var clock = Stopwatch.StartNew();
            void Mark(string stage)
            {
                marks.Add((stage, clock.Elapsed, sampler.Read()));
                Console.WriteLine(string.Create(C, $"  {clock.Elapsed.TotalSeconds,6:F0} s  {stage}"));
            }
            marks.Add(("start", TimeSpan.Zero, sampler.Read()));

            var imports = await UploadAsync(http, scenario, fileRows);
            Mark($"{imports.Count} files uploaded");
            var counter = new ObservedCounter(correlation);
            using var progress = Progress(correlation, counter, clock, system);
            await ImportsCompletedAsync(http, imports);
            Mark("imports completed (Intake)");
            await UntilAsync(async () => await ForwardedAsync(intake), "Intake's forwarder");
            Mark("Intake's forwarder published every report");
            await UntilAsync(async () => await counter.CountAsync() >= n, "Correlation observing");
            Mark("every report observed in Correlation");
            var caughtUp = await ShardsCaughtUpAsync(correlation, clock);
            Mark("every projection and subscription caught up (Correlation)");
            await UntilAsync(async () => await ScannedAsync(correlation), "the spike scanner");
            Mark("the spike scanner scanned every change");
            using var analyst = system.Client(RunningSystem.AdminKey);
            analyst.Timeout = TimeSpan.FromMinutes(10);
            var spikes = await DetectionThroughApi.SpikesAsync(analyst, scenario.Options);
            var campaigns = await DetectionThroughApi.CampaignsAsync(analyst);
            Mark($"{spikes.Count} spikes and {campaigns.Count} campaigns read through the API");
            var total = clock.Elapsed;
            progress.Dispose();

            Console.WriteLine();
            Console.WriteLine("| stage | ends at | took | reports/s over the stage | CPU in the stage (s): intake / correlation / publishing / gateway / PostgreSQL for them / RabbitMQ / machine busy |");
            Console.WriteLine("|---|---|---|---|---|");
            for (int i = 1; i < marks.Count; i++)
            {
                var took = marks[i].At - marks[i - 1].At;
                var cpu = marks[i].Cpu - marks[i - 1].Cpu;
                Console.WriteLine(string.Create(C, $"| {marks[i].Stage} | {marks[i].At.TotalSeconds:F0} s | {took.TotalSeconds:F0} s | {n / Math.Max(took.TotalSeconds, 0.001):F0} | {cpu} |"));
            }
            Console.WriteLine(string.Create(C, $"| **whole history, upload to API** | | **{total.TotalSeconds:F0} s** | **{n / total.TotalSeconds:F0}** (1,000,000 in {1_000_000 / (n / total.TotalSeconds) / 60:F1} min) | {marks[^1].Cpu - marks[0].Cpu} |"));
            Console.WriteLine();
            Console.WriteLine("Each projection and subscription of Correlation, when it had processed every event stored once all reports were observed:");
            foreach (var (shard, at) in caughtUp.OrderBy(c => c.Value))
                Console.WriteLine(string.Create(C, $"  {shard}: {at.TotalSeconds:F0} s ({n / at.TotalSeconds:F0} reports/s from the first upload)"));
            Console.WriteLine();
            await PrintStatementsAsync(system, statementsBefore);
            Console.WriteLine((await WalAsync()).Since(walBefore) + Environment.NewLine);
            double pgbenchAfter = await Pgbench.InsertsPerSecondAsync(10);
            double reference = (pgbenchBefore + pgbenchAfter) / 2;
            Console.WriteLine(string.Create(C,
                $"pgbench before and after the run: {pgbenchBefore:F0} and {pgbenchAfter:F0} tps; the history went at {n / total.TotalSeconds:F0} reports/s, {n / total.TotalSeconds / reference:F3} reports per pgbench insert (their mean){Environment.NewLine}"));

            await DetectionThroughApi.ConsistencyAsync(correlation, scenario);
            var o = scenario.Options;
            var spikeScore = SpikeScoring.Score(scenario, spikes, Detection.SeriesCount(scenario), o.Start.AddDays(o.WarmUpDays), o.End);
            var measures = new FamilyMeasures(family);
            string spikeMeasures = measures.AddSpikes(scenario, spikes, spikeScore, false);
            var campaignScore = CampaignScoring.Score(scenario, campaigns);
            Console.WriteLine(string.Create(C, $"  spikes: {spikeScore}; {spikeMeasures}"));
            Console.WriteLine(string.Create(C, $"  campaigns: {campaignScore}"));
            Detection.PrintMissed(campaignScore);
            return 0;
        }
        catch
        {
            Console.Error.WriteLine(system.RecentOutput);
            throw;
        }
        finally
        {
            await system.DisposeAsync();
        }
    }

    /// <summary>The history's scenario, ending yesterday: about <paramref name="target"/> reports, every cell's rate raised alike.</summary>
    private static (Scenario Scenario, double Scale) Generate(int target, ScenarioFamily family, int countries, int days, int seed)
    {
        var end = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var options = FamilyMeasures.Options(family, Detection.Options(countries, days)) with { End = end, Seed = seed, Spikes = 24 };
        var probe = ScenarioFamilies.Generate(family, options with { Countries = Math.Min(2, countries), Campaigns = 0 });
        double scale = Math.Max(0.05, target / (probe.Reports.Count / (double)Math.Min(2, countries) * countries));
        return (ScenarioFamilies.Generate(family, options with { RateScale = scale, Campaigns = Math.Max(15, (int)(20 * scale * countries / 6.0)) }), scale);
    }

    /// <summary>
    /// Each organisation's reports in files of at most <paramref name="fileRows"/> rows, in the order of time; the
    /// organisations take turns, as several would sending their archives at once. In the order they are uploaded.
    /// </summary>
    private static List<(int Organisation, SyntheticReport[] Rows)> Files(Scenario scenario, int fileRows) =>
        scenario.Reports.GroupBy(r => r.Organisation).OrderBy(g => g.Key)
            .SelectMany(g => g.Chunk(fileRows).Select((rows, turn) => (Turn: turn, Organisation: g.Key, Rows: rows)))
            .OrderBy(f => f.Turn).Select(f => (f.Organisation, f.Rows)).ToList();

    /// <summary>The order the upload's files bring the reports in.</summary>
    private static List<SyntheticReport> UploadOrder(Scenario scenario, int fileRows) => Files(scenario, fileRows).SelectMany(f => f.Rows).ToList();

    /// <summary>
    /// Campaign detection over the same history in process, its reports in the order its files are uploaded in
    /// (<c>--history-replay</c>): what the running system's campaigns would be, and with <c>--explain</c> why each missed
    /// one was missed.
    /// </summary>
    public static Task<int> ReplayAsync(int target, ScenarioFamily family, int countries, int days, int fileRows, int seed, bool explain)
    {
        var (scenario, scale) = Generate(target, family, countries, days, seed);
        Console.WriteLine(string.Create(C, $"History replayed in process: {scenario.Reports.Count:N0} reports, rates x {scale:F2}, {scenario.Campaigns.Count} planted campaigns, in the upload's order"));
        return Detection.ReplayCampaignsAsync(scenario, UploadOrder(scenario, fileRows), explain);
    }

    /// <summary>Registers the civic periods, creates each organisation and uploads its files (<see cref="Files"/>).</summary>
    private static async Task<List<(string Key, Guid ImportId, int Rows)>> UploadAsync(HttpClient http, Scenario scenario, int fileRows)
    {
        foreach (var p in scenario.CivicPeriods)
            await SendAsync(http, HttpMethod.Post, "/api/analysis/civic-periods", RunningSystem.AdminKey, JsonContent.Create(new
            {
                country = p.Country, type = p.Type, name = p.Name, start = p.Start.ToString("yyyy-MM-dd", C), end = p.End.ToString("yyyy-MM-dd", C),
            }));
        var keys = new Dictionary<int, string>();
        foreach (int organisation in scenario.Reports.Select(r => r.Organisation).Distinct().Order())
        {
            var created = await (await SendAsync(http, HttpMethod.Post, "/api/admin/organisations", RunningSystem.AdminKey,
                JsonContent.Create(new { name = $"Synthetic organisation {organisation} (seed {scenario.Options.Seed})" }))).Content.ReadFromJsonAsync<JsonElement>();
            keys[organisation] = created.GetProperty("apiKey").GetString()!;
        }
        var imports = new List<(string, Guid, int)>();
        foreach (var (organisation, rows) in Files(scenario, fileRows))
        {
            string key = keys[organisation];
            using var response = await SendAsync(http, HttpMethod.Post, "/api/reports/imports", key, new StringContent(ScenarioFiles.Csv(rows), Encoding.UTF8, "text/csv"));
            imports.Add((key, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid(), rows.Length));
        }
        return imports;
    }

    private static async Task ImportsCompletedAsync(HttpClient http, List<(string Key, Guid ImportId, int Rows)> imports)
    {
        foreach (var (key, importId, rows) in imports)
            while (true)
            {
                using var status = await SendAsync(http, HttpMethod.Get, $"/api/reports/imports/{importId}", key, null);
                var json = await status.Content.ReadFromJsonAsync<JsonElement>();
                string state = json.GetProperty("status").GetString()!;
                if (state == "completed")
                {
                    int rejected = json.GetProperty("rejected").GetInt32();
                    if (rejected > 0) throw new InvalidOperationException($"Import {importId} rejected {rejected} of {rows} rows: {json.GetProperty("errors")}");
                    break;
                }
                if (state == "failed") throw new InvalidOperationException($"Import {importId} failed: {json}");
                await Task.Delay(500);
            }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string key, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await done())
        {
            if (waited.Elapsed > TimeSpan.FromHours(2)) throw new TimeoutException($"{what} did not finish within 2 hours");
            await Task.Delay(500);
        }
    }

    private static async Task<bool> ForwardedAsync(string schema) =>
        await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema}.mt_events") <=
        await Database.ScalarAsync($"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like 'report-forwarder%'");

    /// <summary>Waits until every shard has processed every event; returns when each first reached the events stored when this began.</summary>
    private static async Task<Dictionary<string, TimeSpan>> ShardsCaughtUpAsync(string schema, Stopwatch clock)
    {
        long last = await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
        var reached = new Dictionary<string, TimeSpan>();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var shards = await ShardsAsync(schema);
            foreach (var (name, seq) in shards)
                if (seq >= last && !reached.ContainsKey(name)) reached[name] = clock.Elapsed;
            long now = await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
            if (shards.Count > 0 && shards.Values.Min() >= now && reached.Count == shards.Count) return reached;
            if (waited.Elapsed > TimeSpan.FromHours(2)) throw new TimeoutException("Correlation did not catch up within 2 hours");
            await Task.Delay(500);
        }
    }

    private static async Task<Dictionary<string, long>> ShardsAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select name, last_seq_id from {schema}.mt_event_progression where name like '%:%'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var shards = new Dictionary<string, long>();
        while (await reader.ReadAsync()) shards[reader.GetString(0)] = reader.GetInt64(1);
        return shards;
    }

    /// <summary>Whether the scanner has scanned every country's changes (its state saved in the same transaction as the spikes it found).</summary>
    private static async Task<bool> ScannedAsync(string schema) =>
        await Database.ScalarAsync($"select count(*) from {schema}.mt_doc_serieschanges") > 0 &&
        await Database.ScalarAsync($"""
            select count(*) from {schema}.mt_doc_serieschanges c left join {schema}.mt_doc_spikescanstate s on true
            where coalesce((s.data -> 'seen' ->> c.id)::bigint, 0) < (c.data ->> 'last')::bigint
            """) == 0;

    /// <summary>Every 15 s until disposed: reports observed and where each projection and subscription stands.</summary>
    private static IDisposable Progress(string schema, ObservedCounter counter, Stopwatch clock, RunningSystem system)
    {
        var stop = new CancellationTokenSource();
        var token = stop.Token;
        var shown = new HashSet<string>();
        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(15), token);
                    long observed = await counter.CountAsync();
                    long last = await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
                    var shards = await ShardsAsync(schema);
                    Console.WriteLine(string.Create(C, $"    {clock.Elapsed.TotalSeconds,6:F0} s: {observed:N0} observed, {last:N0} events; ") +
                                      string.Join(", ", shards.OrderBy(s => s.Key).Select(s => string.Create(C, $"{s.Key.Split(':')[0]} {s.Value:N0}"))));
                    // The services log warnings and errors only: each new one is shown once, its first line.
                    foreach (var line in system.RecentOutput.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception:")))
                        if (shown.Add(line)) Console.WriteLine($"      {(line.Length > 300 ? line[..300] : line)}");
                }
                catch (OperationCanceledException) { }
                catch (Exception e) { Console.WriteLine($"    progress: {e.Message}"); }
            }
        }, CancellationToken.None);
        return new Stopping(stop);
    }

    private sealed class Stopping(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose() => stop.Cancel(); // not disposed: the loop may still be reading its token
    }

    /// <summary>
    /// Reports observed so far, counted from where the last count stopped up to the daemon's high-water mark (below it no
    /// event is still to commit): counting the whole table every time cost PostgreSQL more than some of the stages.
    /// </summary>
    private sealed class ObservedCounter(string schema)
    {
        private readonly SemaphoreSlim _one = new(1, 1);
        private long _upTo, _count;

        public async Task<long> CountAsync()
        {
            await _one.WaitAsync();
            try
            {
                long mark = await Database.ScalarAsync($"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = 'HighWaterMark'");
                if (mark > _upTo)
                {
                    _count += await Database.ScalarAsync($"select count(*) from {schema}.mt_events where seq_id > {_upTo} and seq_id <= {mark} and type = 'report_observed'");
                    _upTo = mark;
                }
                return _count;
            }
            finally
            {
                _one.Release();
            }
        }
    }

    private sealed record Statement(long Id, long Calls, double Milliseconds, long Rows, string Query);

    /// <summary>The statements of this run's services (pg_stat_statements, where the server loads it), by the schemas they name.</summary>
    private static async Task<Dictionary<long, Statement>> StatementsAsync(RunningSystem system)
    {
        var found = new Dictionary<long, Statement>();
        try
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("create extension if not exists pg_stat_statements", connection)) await create.ExecuteNonQueryAsync();
            string prefix = system.Schema("intake")[..^"intake".Length];
            await using var command = new NpgsqlCommand(
                "select queryid, calls, total_exec_time, rows, query from pg_stat_statements where query like '%' || $1 || '%' and queryid is not null", connection)
            {
                Parameters = { new() { Value = prefix } },
            };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var s = new Statement(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetString(4));
                found[s.Id] = found.TryGetValue(s.Id, out var other) ? s with { Calls = s.Calls + other.Calls, Milliseconds = s.Milliseconds + other.Milliseconds, Rows = s.Rows + other.Rows } : s;
            }
        }
        catch (PostgresException e)
        {
            Console.WriteLine($"  pg_stat_statements not available: {e.MessageText}");
        }
        return found;
    }

    /// <summary>What the whole server wrote to its write-ahead log and how often it checkpointed (every database, not only this run's).</summary>
    private sealed record Wal(long Records, long FullPageImages, long Bytes, long TimedCheckpoints, long RequestedCheckpoints, long CheckpointBuffers, long BackendBuffers)
    {
        public string Since(Wal b) => string.Create(C,
            $"Write-ahead log over the run (the whole server): {(Bytes - b.Bytes) / 1e9:F2} GB, {Records - b.Records:N0} records, {FullPageImages - b.FullPageImages:N0} full-page images; checkpoints {TimedCheckpoints - b.TimedCheckpoints} timed and {RequestedCheckpoints - b.RequestedCheckpoints} requested, {CheckpointBuffers - b.CheckpointBuffers:N0} buffers written by checkpoints and {BackendBuffers - b.BackendBuffers:N0} by backends");
    }

    private static async Task<Wal> WalAsync()
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select w.wal_records, w.wal_fpi, w.wal_bytes::bigint, b.checkpoints_timed, b.checkpoints_req, b.buffers_checkpoint, b.buffers_backend from pg_stat_wal w, pg_stat_bgwriter b",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync(); // one row, always
        return new Wal(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
    }

    private static async Task PrintStatementsAsync(RunningSystem system, Dictionary<long, Statement> before)
    {
        var after = await StatementsAsync(system);
        var spent = after.Values.Select(s => before.TryGetValue(s.Id, out var b) ? s with { Calls = s.Calls - b.Calls, Milliseconds = s.Milliseconds - b.Milliseconds, Rows = s.Rows - b.Rows } : s)
            .Where(s => s.Calls > 0).OrderByDescending(s => s.Milliseconds).ToList();
        if (spent.Count == 0) return;
        string prefix = system.Schema("intake")[..^"intake".Length];
        double all = spent.Sum(s => s.Milliseconds);
        Console.WriteLine(string.Create(C, $"Statements of this run in PostgreSQL (pg_stat_statements): {all / 1000:F0} s of execution in all; the 15 longest:"));
        Console.WriteLine("| total | share | calls | mean | rows | statement |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var s in spent.Take(15))
        {
            string text = System.Text.RegularExpressions.Regex.Replace(s.Query.Replace(prefix, ""), @"\s+", " ");
            Console.WriteLine(string.Create(C, $"| {s.Milliseconds / 1000:F1} s | {s.Milliseconds / all:P0} | {s.Calls:N0} | {s.Milliseconds / s.Calls:F2} ms | {s.Rows:N0} | `{(text.Length > 140 ? text[..140] + "…" : text)}` |"));
        }
        Console.WriteLine();
    }

    /// <summary>
    /// CPU time per process, read from /proc: each service, the PostgreSQL backends of its named connections (sampled every
    /// second, so a backend that exits keeps what it had spent), all of PostgreSQL, RabbitMQ and the whole machine.
    /// </summary>
    private sealed class CpuSampler : IAsyncDisposable
    {
        private readonly IReadOnlyDictionary<string, int> _services;
        private readonly string _applicationPrefix;
        private readonly ConcurrentDictionary<int, double> _backends = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;

        public CpuSampler(IReadOnlyDictionary<string, int> services, string applicationPrefix)
        {
            (_services, _applicationPrefix) = (services, applicationPrefix);
            _sampling = Task.Run(SampleAsync);
        }

        public sealed record Reading(IReadOnlyDictionary<string, double> Services, double Backends, double Postgres, double RabbitMq, double MachineBusy)
        {
            public static Reading operator -(Reading a, Reading b) => new(
                a.Services.ToDictionary(s => s.Key, s => s.Value - b.Services.GetValueOrDefault(s.Key)),
                a.Backends - b.Backends, a.Postgres - b.Postgres, a.RabbitMq - b.RabbitMq, a.MachineBusy - b.MachineBusy);

            public override string ToString() => string.Create(C,
                $"{Services.GetValueOrDefault("intake"):F0} / {Services.GetValueOrDefault("correlation"):F0} / {Services.GetValueOrDefault("publishing"):F0} / {Services.GetValueOrDefault("gateway"):F0} / {Backends:F0} / {RabbitMq:F0} / {MachineBusy:F0}");
        }

        public Reading Read()
        {
            var services = _services.ToDictionary(s => s.Key, s => Seconds(s.Value) ?? 0);
            double postgres = 0, rabbit = 0;
            foreach (var (pid, comm, seconds) in Processes())
            {
                if (comm.StartsWith("postgres", StringComparison.Ordinal)) postgres += seconds;
                else if (comm.StartsWith("beam", StringComparison.Ordinal)) rabbit += seconds;
            }
            SampleBackends().GetAwaiter().GetResult();
            return new Reading(services, _backends.Values.Sum(), postgres, rabbit, MachineBusy());
        }

        private async Task SampleAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await SampleBackends();
                    await Task.Delay(1000, _stop.Token);
                }
                catch (OperationCanceledException) { }
                catch (NpgsqlException) { }
            }
        }

        private async Task SampleBackends()
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select pid from pg_stat_activity where application_name like $1 || '-%'", connection)
            {
                Parameters = { new() { Value = _applicationPrefix } },
            };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                int pid = reader.GetInt32(0);
                if (Seconds(pid) is { } seconds) _backends.AddOrUpdate(pid, seconds, (_, was) => Math.Max(was, seconds));
            }
        }

        private static double? Seconds(int pid)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], C) + long.Parse(fields[12], C)) * Tick;
            }
            catch (IOException) { return null; }
        }

        private static IEnumerable<(int Pid, string Comm, double Seconds)> Processes()
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                string stat;
                try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
                int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                yield return (pid, stat[(open + 1)..close], (long.Parse(fields[11], C) + long.Parse(fields[12], C)) * Tick);
            }
        }

        /// <summary>CPU seconds the whole machine spent busy (every core, every user), from /proc/stat.</summary>
        private static double MachineBusy()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(f => long.Parse(f, C)).ToArray();
            long idle = fields[3] + fields[4];
            return (fields.Take(8).Sum() - idle) * Tick;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
        }
    }
}
