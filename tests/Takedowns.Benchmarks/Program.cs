using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

// Intake throughput, in one run and on one PostgreSQL: (a) signed webhooks, one report per request, from concurrent
// senders; (b) a bulk import; (c) pgbench single-row inserts as the physical reference. Prints medians and ratios.

// Campaign settings to try in the in-process modes, e.g. --gather-links 0 to run without a campaign's gathering.
Takedowns.Benchmarks.Detection.CampaignSettings = Takedowns.Correlation.Campaigns.CampaignSettings.Default with
{
    GatherLinks = Arg("--gather-links", Takedowns.Correlation.Campaigns.CampaignSettings.Default.GatherLinks),
    GatherSlack = Arg("--gather-slack", Takedowns.Correlation.Campaigns.CampaignSettings.Default.GatherSlack),
    GatherWithin = TimeSpan.FromHours(Arg("--gather-within-hours", Takedowns.Correlation.Campaigns.CampaignSettings.Default.GatherWithin.TotalHours)),
    BoilerplatePerDay = Arg("--boilerplate-per-day", Takedowns.Correlation.Campaigns.CampaignSettings.Default.BoilerplatePerDay),
    RequireBunching = args.Contains("--require-bunching"),
    GatherEarlier = !args.Contains("--gather-later-only"),
    CandidatesPerKey = Arg("--candidates-per-key", Takedowns.Correlation.Campaigns.CampaignSettings.Default.CandidatesPerKey),
    FalseDiscoveryRate = Arg("--false-discovery-rate", Takedowns.Correlation.Campaigns.CampaignSettings.Default.FalseDiscoveryRate),
};
// Spike settings to try in the in-process modes, e.g. --alarms-per-country-year 2.
Takedowns.Benchmarks.Detection.SpikeSettings = Takedowns.Correlation.Spikes.SpikeSettings.Default with
{
    AlarmsPerCountryYear = Arg("--alarms-per-country-year", Takedowns.Correlation.Spikes.SpikeSettings.Default.AlarmsPerCountryYear),
    SparseBaselineDays = Arg("--sparse-baseline-days", Takedowns.Correlation.Spikes.SpikeSettings.Default.SparseBaselineDays),
    SpreadWithinWindows = !args.Contains("--counts-only"),
    NewsAfterQuiet = !args.Contains("--news-after-window-only"),
    NewsBeside = !args.Contains("--fold-beside"),
    NewsElsewhere = !args.Contains("--no-elsewhere"),
    BaselineDays = Arg("--baseline-days", Takedowns.Correlation.Spikes.SpikeSettings.Default.BaselineDays),
    GuardDays = Arg("--guard-days", Takedowns.Correlation.Spikes.SpikeSettings.Default.GuardDays),
    DispersionConfidence = Arg("--dispersion-confidence", Takedowns.Correlation.Spikes.SpikeSettings.Default.DispersionConfidence),
    SparseWindows = args.Contains("--sparse-windows") ? Arg("--sparse-windows", "").Split(',').Select(int.Parse).ToList() : Takedowns.Correlation.Spikes.SpikeSettings.Default.SparseWindows,
    Windows = args.Contains("--windows") ? Arg("--windows", "").Split(',').Select(int.Parse).ToList() : Takedowns.Correlation.Spikes.SpikeSettings.Default.Windows,
};
// --arrival-by-organisation: campaign detection takes each organisation's reports in turn, as their imports deliver them.
Takedowns.Benchmarks.Detection.ByOrganisation = args.Contains("--arrival-by-organisation");
// --arrival-out DIR (through the API): the order Correlation took each scenario's reports in; --arrival-from DIR (in process): that order.
Takedowns.Benchmarks.DetectionThroughApi.ArrivalDirectory = args.Contains("--arrival-out") ? Arg("--arrival-out", "") : null;
Takedowns.Benchmarks.Detection.ArrivalFrom = args.Contains("--arrival-from") ? Arg("--arrival-from", "") : null;
Takedowns.Benchmarks.HistoryThroughApi.HeldMegabytes = Arg("--held-megabytes", Takedowns.Benchmarks.HistoryThroughApi.HeldMegabytes);
Takedowns.Benchmarks.NaiveBaseline.Threshold = Arg("--baseline-threshold", Takedowns.Benchmarks.NaiveBaseline.Threshold);
// --family a|b|c|both|all: the scenario families the detection modes run (both, a and b, by default; all adds c).
var families = Takedowns.Scenarios.ScenarioFamilies.ParseList(args.Contains("--family") ? Arg("--family", "both") : "both");
// --load [--rate 1000] [--seconds 60]: the whole system behind the gateway under an open-loop load of signed webhooks (Load.cs).
if (args.Contains("--load"))
    return await Takedowns.Benchmarks.LoadThroughGateway.RunAsync(Arg("--rate", 1000), Arg("--seconds", 60), Arg("--probes", 10),
        Arg("--max-in-flight", 3000), Arg("--warm-up", 10));
// --escalation [--accounts 100] [--rounds 20]: packets drafted, read and finalised through the gateway (Escalation.cs).
if (args.Contains("--escalation"))
    return await Takedowns.Benchmarks.EscalationPackets.RunAsync(Arg("--accounts", 100), Arg("--rounds", 20));
if (args.Contains("--detection-api"))
    return await Takedowns.Benchmarks.DetectionThroughApi.RunAsync(Arg("--seeds", 1), Arg("--countries", 3), Arg("--days", 200), Arg("--first-seed", 1), families);
if (args.Contains("--history"))
    return await Takedowns.Benchmarks.HistoryThroughApi.RunAsync(Arg("--history", 1_000_000), families[0], Arg("--countries", 12), Arg("--days", 400),
        Arg("--file-rows", 50_000), Arg("--first-seed", 11));
if (args.Contains("--history-replay"))
    return await Takedowns.Benchmarks.HistoryThroughApi.ReplayAsync(Arg("--history-replay", 1_000_000), families[0], Arg("--countries", 12), Arg("--days", 400),
        Arg("--file-rows", 50_000), Arg("--first-seed", 11), args.Contains("--explain"));
if (args.Contains("--replay"))
    return await Takedowns.Benchmarks.Detection.ReplayAsync(Arg("--replay", 1_000_000));
if (args.Contains("--detection"))
    return await Takedowns.Benchmarks.Detection.RunAsync(Arg("--seeds", 3), Arg("--countries", 6), Arg("--days", 300), spikesOnly: args.Contains("--spikes-only"), explain: args.Contains("--explain"),
        endsOn: args.Contains("--ending-yesterday") ? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1)
            : args.Contains("--ending") ? Arg("--ending", default(DateOnly)) : null, families: families);

int rounds = Arg("--rounds", 3);
int seconds = Arg("--seconds", 15);
int senders = Arg("--senders", 64);
int importRows = Arg("--import-rows", 100_000);
var culture = CultureInfo.InvariantCulture;

string adminKey = "bench-admin-" + Guid.NewGuid().ToString("N");
string schema = TestEnvironment.UniqueName("bench");
string vhost = await Broker.CreateVirtualHostAsync();
// The forwarder publishes every report; a queue keeps them so nothing is refused for want of a consumer.
await Inspect.BindCaptureQueueAsync(vhost, "Takedowns.Contracts.Reports:ReportChanges", "bench-capture");
int port = FreePort();
var intake = StartIntake(port);
var results = new List<(double Webhooks, double P50, double P99, double Import, double Pgbench)>();
try
{
    var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10),
    };
    await WaitReadyAsync(http);
    http.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
    var org = await (await http.PostAsJsonAsync("/api/admin/organisations", new { name = "Benchmark" })).Content.ReadFromJsonAsync<JsonElement>();
    Guid orgId = org.GetProperty("organisationId").GetGuid();
    string apiKey = org.GetProperty("apiKey").GetString()!;
    var src = await (await http.PostAsJsonAsync($"/api/admin/organisations/{orgId}/webhook-sources", new { name = "load" })).Content.ReadFromJsonAsync<JsonElement>();
    Guid sourceId = src.GetProperty("sourceId").GetGuid();
    var signer = new WebhookSigner(src.GetProperty("secret").GetString()!);
    http.DefaultRequestHeaders.Authorization = null;

    // Warm-up, not measured: the first requests pay for compiling the hot paths, which a running service has long done.
    await WebhooksAsync(http, signer, sourceId, "warmup", 20);
    await ImportAsync(http, apiKey, "warmup", 20_000);
    await ForwardedAsync();

    for (int round = 1; round <= rounds; round++)
    {
        double pgbench = await Takedowns.Benchmarks.Pgbench.InsertsPerSecondAsync(seconds);
        var cpu = CpuTime.Snapshot(intake.Id);
        var (rate, p50, p99, count) = await WebhooksAsync(http, signer, sourceId, round.ToString(culture), seconds);
        // The forwarder publishes behind the writes; its share is counted once it has caught up.
        await ForwardedAsync();
        var webhookCpu = CpuTime.Snapshot(intake.Id) - cpu;
        cpu = CpuTime.Snapshot(intake.Id);
        double import = await ImportAsync(http, apiKey, round.ToString(culture), importRows);
        await ForwardedAsync();
        var importCpu = CpuTime.Snapshot(intake.Id) - cpu;
        Console.WriteLine("  CPU per webhook report: " + webhookCpu.PerItem(count));
        Console.WriteLine("  CPU per imported row:   " + importCpu.PerItem(importRows));
        results.Add((rate, p50, p99, import, pgbench));
        Console.WriteLine(string.Create(culture,
            $"round {round}: pgbench {pgbench:F0} tps | webhooks {rate:F0} reports/s, p50 {p50:F1} ms, p99 {p99:F1} ms | import {import:F0} rows/s"));
    }
}
finally
{
    intake.Kill(entireProcessTree: true);
    await intake.WaitForExitAsync();
    await Broker.DeleteVirtualHostAsync(vhost);
    await Database.DropSchemaAsync(schema);
}

// Waits until the forwarder has published every event stored so far, then empties the capture queue for the next phase.
async Task ForwardedAsync()
{
    var waited = Stopwatch.StartNew();
    while (await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from \"{schema}\".mt_events") >
           await Database.ScalarAsync($"select coalesce(max(last_seq_id), 0) from \"{schema}\".mt_event_progression where name like 'report-forwarder%'"))
    {
        if (waited.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("The forwarder did not catch up within 5 minutes.");
        await Task.Delay(200);
    }
    await Inspect.PurgeAsync(vhost, "bench-capture");
}

double Median(Func<(double Webhooks, double P50, double P99, double Import, double Pgbench), double> f)
{
    var v = results.Select(f).Order().ToArray();
    return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
}
var ratiosA = results.Select(r => r.Webhooks / r.Pgbench).ToList();
var ratiosB = results.Select(r => r.Import / r.Pgbench).ToList();
double MedianOf(List<double> v) { var s = v.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
Console.WriteLine();
Console.WriteLine($"| measure ({rounds} rounds, median) | value |");
Console.WriteLine("|---|---|");
Console.WriteLine(string.Create(culture, $"| (c) pgbench single-row insert, 8 clients | {Median(r => r.Pgbench):F0} tps |"));
Console.WriteLine(string.Create(culture, $"| (a) signed webhooks, {senders} concurrent senders | {Median(r => r.Webhooks):F0} reports/s, p50 {Median(r => r.P50):F1} ms, p99 {Median(r => r.P99):F1} ms |"));
Console.WriteLine(string.Create(culture, $"| (b) bulk import, {importRows:N0} CSV rows | {Median(r => r.Import):F0} rows/s |"));
Console.WriteLine(string.Create(culture, $"| (a)/(c), median of per-round ratios | {MedianOf(ratiosA):F2} (target ≥ 0.5, p99 ≤ 100 ms) |"));
Console.WriteLine(string.Create(culture, $"| (b)/(c), median of per-round ratios | {MedianOf(ratiosB):F2} (target ≥ 1.0) |"));
return 0;

T Arg<T>(string name, T fallback) where T : IParsable<T>
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? T.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

Process StartIntake(int listenPort)
{
    string dir = Path.Combine(TestEnvironment.RepositoryRoot, "artifacts", "bin", "Takedowns.Intake", "release");
    var start = new ProcessStartInfo("dotnet", "Takedowns.Intake.dll") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var (k, v) in TestEnvironment.ServiceSettings(schema, vhost, adminKey)) start.Environment[k.Replace(":", "__")] = v;
    start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listenPort}";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    start.Environment["RateLimits__PermitsPerSecond"] = "1000000";
    start.Environment["RateLimits__Burst"] = "1000000";
    var p = Process.Start(start)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[intake] " + e.Data); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task WaitReadyAsync(HttpClient http)
{
    for (int i = 0; i < 120; i++)
    {
        try { if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return; } catch (HttpRequestException) { }
        await Task.Delay(500);
    }
    throw new TimeoutException("Intake did not become ready.");
}

static int FreePort()
{
    var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    l.Start();
    int p = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return p;
}

async Task<(double Rate, double P50, double P99, long Count)> WebhooksAsync(HttpClient http, WebhookSigner signer, Guid sourceId, string round, int durationSeconds)
{
    // Bodies and signatures are made before the clock starts, as a sender's would be: the load generator shares the
    // machine, and what it spends is not spent by Intake.
    long timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var prepared = Enumerable.Range(0, senders).Select(s => Enumerable.Range(0, durationSeconds * 4_000 / senders + 100).Select(n =>
    {
        string id = $"bench_{round}_{s}_{n}";
        string body = SampleReports.Body(country: "KZ", handle: $"@load_{round}_{s}_{n}", occurredAt: "2026-11-20");
        return (Id: id, Body: Encoding.UTF8.GetBytes(body), Signature: signer.Signature(id, timestamp, body));
    }).ToArray()).ToArray();
    var latencies = new List<double>[senders];
    var deadline = Stopwatch.StartNew();
    long failures = 0;
    await Task.WhenAll(Enumerable.Range(0, senders).Select(async s =>
    {
        var mine = latencies[s] = [];
        int n = 0;
        while (deadline.Elapsed.TotalSeconds < durationSeconds)
        {
            HttpRequestMessage request;
            if (n < prepared[s].Length)
            {
                var (id, body, signature) = prepared[s][n++];
                request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{sourceId}") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add("webhook-id", id);
                request.Headers.Add("webhook-timestamp", timestamp.ToString(culture));
                request.Headers.Add("webhook-signature", signature);
            }
            else
            {
                request = signer.Request($"/webhooks/{sourceId}", SampleReports.Body(country: "KZ", handle: $"@load_{round}_{s}_{n++}", occurredAt: "2026-11-20"));
            }
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Accepted) mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            else Interlocked.Increment(ref failures);
            request.Dispose();
        }
    }));
    double elapsed = deadline.Elapsed.TotalSeconds;
    if (failures > 0) Console.Error.WriteLine($"{failures} webhook requests were not accepted");
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / elapsed, all[all.Length / 2], all[(int)(all.Length * 0.99)], all.Length);
}

async Task<double> ImportAsync(HttpClient http, string apiKey, string round, int rows)
{
    string file = Path.GetTempFileName();
    await using (var w = new StreamWriter(file, false, new UTF8Encoding(false)))
    {
        await w.WriteAsync("externalId,platform,accountHandle,subjectType,country,action,groundCategory,groundClaimant,occurredAt\r\n");
        for (int i = 0; i < rows; i++)
            await w.WriteAsync(string.Create(culture,
                $"bench-{round}-{i},youtube,@bulk_{round}_{i},blogger,UZ,content_removed,intellectual_property,Example Rights Agency,2025-{1 + i % 12:D2}-{1 + i % 28:D2}\r\n"));
    }
    var started = Stopwatch.StartNew();
    await using var stream = File.OpenRead(file);
    var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports/imports") { Content = new StreamContent(stream) };
    request.Content.Headers.ContentType = new("text/csv");
    request.Headers.Authorization = new("Bearer", apiKey);
    using var response = await http.SendAsync(request);
    Guid importId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
    JsonElement progress;
    do
    {
        await Task.Delay(250);
        var poll = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/imports/{importId}");
        poll.Headers.Authorization = new("Bearer", apiKey);
        progress = await (await http.SendAsync(poll)).Content.ReadFromJsonAsync<JsonElement>();
    } while (progress.GetProperty("status").GetString() is "running" or "receiving");
    double elapsed = started.Elapsed.TotalSeconds;
    File.Delete(file);
    long accepted = progress.GetProperty("accepted").GetInt64();
    if (accepted != rows) Console.Error.WriteLine($"import accepted {accepted} of {rows}: {progress}");
    return accepted / elapsed;
}

/// <summary>CPU time used so far by Intake, PostgreSQL (all its processes), RabbitMQ and this load generator, from /proc.</summary>
sealed record CpuTime(double Intake, double Postgres, double RabbitMq, double Load)
{
    private static readonly double Tick = 1.0 / 100; // USER_HZ on Linux

    public static CpuTime Snapshot(int intakePid)
    {
        double intake = 0, postgres = 0, rabbit = 0, load = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
            string comm = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            double seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * Tick;
            if (pid == intakePid) intake += seconds;
            else if (pid == Environment.ProcessId) load += seconds;
            else if (comm.StartsWith("postgres", StringComparison.Ordinal)) postgres += seconds;
            else if (comm.StartsWith("beam", StringComparison.Ordinal)) rabbit += seconds;
        }
        return new CpuTime(intake, postgres, rabbit, load);
    }

    public static CpuTime operator -(CpuTime a, CpuTime b) =>
        new(a.Intake - b.Intake, a.Postgres - b.Postgres, a.RabbitMq - b.RabbitMq, a.Load - b.Load);

    public string PerItem(long items) => string.Create(CultureInfo.InvariantCulture,
        $"Intake {Intake * 1000 / items:F3} ms, PostgreSQL {Postgres * 1000 / items:F3} ms, RabbitMQ {RabbitMq * 1000 / items:F3} ms, load generator {Load * 1000 / items:F3} ms");
}
