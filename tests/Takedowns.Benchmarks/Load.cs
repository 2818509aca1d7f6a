using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Takedowns.Testing;

namespace Takedowns.Benchmarks;

/// <summary>
/// The whole system under a fixed, open-loop load of signed webhooks through the gateway. Send i is due at
/// start + i / rate whether or not earlier sends were answered, so a slow system does not lower the load it is offered;
/// latency is measured from the time a send was due, not from when it went out, so queueing in the load generator is
/// counted too. At most <c>maxInFlight</c> requests are outstanding: a send due while that many are is not made and is
/// counted. Among the load, probe reports each fall in a public cell of their own (a country and a day no other report
/// uses): the time from a probe's 202 to the first write of its cell in Publishing's table is the time until a report
/// counts in the public numbers. Also measured: each service's resident memory, and the backlog when the sending stops
/// (the outbox, the queues, each projection) with the time it takes to drain.
/// </summary>
public static class LoadThroughGateway
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private const string LoadCountry = "KZ";

    // Probe cells: one of these countries (none used by the load) and a day; probe n takes country n % 20, day n / 20 + 1 days ago.
    private static readonly string[] ProbeCountries =
        ["NO", "SE", "FI", "DK", "IS", "EE", "LV", "LT", "PL", "DE", "FR", "ES", "PT", "IT", "NL", "BE", "AT", "CH", "IE", "GB"];

    private sealed record Send(string Id, string Timestamp, byte[] Body, string Signature, string? ProbeCell);

    public static async Task<int> RunAsync(int rate, int seconds, int probesPerSecond, int maxInFlight, int warmUpSeconds)
    {
        string logs = Path.Combine(Path.GetTempPath(), "load" + Guid.NewGuid().ToString("N")[..6]);
        var settings = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            // The limiter is per webhook source (per key, per address); raised so that the system is measured, not it.
            ["intake"] = new Dictionary<string, string> { ["RateLimits:PermitsPerSecond"] = "1000000", ["RateLimits:Burst"] = "1000000" },
        };
        Console.WriteLine(string.Create(C,
            $"Load through the gateway: {rate} webhooks/s for {seconds} s, open loop (send i due at start + i/rate), at most {maxInFlight} in flight, {probesPerSecond} probes/s among them."));
        Console.WriteLine("Intake runs with RateLimits__PermitsPerSecond=1000000 and RateLimits__Burst=1000000: the benchmark's webhook source is not rate-limited (default 50/s, burst 200), so the system is measured, not the limiter.");
        Console.WriteLine($"Each service's output: {logs}");
        var system = new RunningSystem { Settings = settings, LogDirectory = logs };
        await system.InitializeAsync();
        var pids = system.ProcessIds;
        Console.WriteLine("Processes: " + string.Join(", ", pids.Select(p => $"{p.Key} {p.Value}")));
        using var memory = new MemorySampler(pids);
        try
        {
            using var admin = system.Client(RunningSystem.AdminKey);
            using var org = await admin.PostAsJsonAsync("/api/admin/organisations", new { name = "Load benchmark" });
            org.EnsureSuccessStatusCode();
            Guid orgId = (await org.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organisationId").GetGuid();
            using var src = await admin.PostAsJsonAsync($"/api/admin/organisations/{orgId}/webhook-sources", new { name = "load" });
            src.EnsureSuccessStatusCode();
            var source = await src.Content.ReadFromJsonAsync<JsonElement>();
            Guid sourceId = source.GetProperty("sourceId").GetGuid();
            var signer = new WebhookSigner(source.GetProperty("secret").GetString()!);

            using var http = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(30), ConnectTimeout = TimeSpan.FromSeconds(10),
            }) { BaseAddress = system.Gateway, Timeout = TimeSpan.FromSeconds(60) };
            string path = $"/webhooks/{sourceId}";

            if (warmUpSeconds > 0)
            {
                // Not measured: the first requests pay for compiling the hot paths, which a running service has long done.
                int warmRate = Math.Min(rate, 200);
                var warm = Prepare(signer, "warm", warmRate * warmUpSeconds, 0, warmRate);
                var w = await OpenLoopAsync(http, path, warm, warmRate, maxInFlight);
                Console.WriteLine(string.Create(C, $"Warm-up (not measured): {warmRate}/s for {warmUpSeconds} s, {w.Acknowledged} acknowledged."));
                await DrainAsync(system, TimeSpan.FromMinutes(5));
            }

            double pgbenchBefore = await Pgbench.InsertsPerSecondAsync(10);
            Console.WriteLine(string.Create(C, $"pgbench before the load (single-row inserts, 8 clients, 10 s): {pgbenchBefore:F0} tps"));

            var sends = Prepare(signer, "run", rate * seconds, probesPerSecond, rate);
            int probes = sends.Count(s => s.ProbeCell is not null);
            Console.WriteLine(string.Create(C, $"{sends.Length:N0} bodies ({probes} probes) built and signed before the clock starts."));

            memory.ResetPeaks();
            var run = await OpenLoopAsync(http, path, sends, rate, maxInFlight, atLastSend: async () =>
            {
                // The backlog as the last send goes out (answers still in flight are counted beside it).
                return await BacklogAsync(system);
            });
            var drained = await DrainAsync(system, TimeSpan.FromMinutes(10));
            var drainTime = run.LastSendAt is { } last ? drained.At - last : TimeSpan.Zero;

            var cells = await CellsWrittenAsync(system.Schema("publishing"));
            double pgbenchAfter = await Pgbench.InsertsPerSecondAsync(10);

            // 1. Acknowledgements.
            var acked = run.Latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine(string.Create(C, $"| offered | {rate}/s for {seconds} s: {sends.Length:N0} sends due; {run.Made:N0} made, {run.Skipped:N0} not made (in-flight cap of {maxInFlight} reached), {run.Late:N0} made more than 10 ms after they were due (latest {run.MaxLagMs:F0} ms) |"));
            Console.WriteLine(string.Create(C, $"| acknowledged (202) | {acked.Length:N0}, {acked.Length / run.Window.TotalSeconds:F0}/s (from the first due time to the last answer, {run.Window.TotalSeconds:F1} s) |"));
            Console.WriteLine(string.Create(C, $"| acknowledgement latency from the due time | p50 {Pct(acked, 0.50):F1} ms, p99 {Pct(acked, 0.99):F1} ms, max {(acked.Length > 0 ? acked[^1] : double.NaN):F1} ms |"));
            Console.WriteLine($"| errors by status | {(run.Errors.IsEmpty ? "none" : string.Join(", ", run.Errors.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}")))} |");

            // 2. Until counted in the public numbers.
            var delays = new List<double>();
            int missing = 0;
            for (int i = 0; i < sends.Length; i++)
            {
                if (sends[i].ProbeCell is not { } cell || run.AcknowledgedAtUtc[i] is not { } ackedAt) continue;
                if (cells.TryGetValue(cell, out var written)) delays.Add((written - ackedAt).TotalMilliseconds);
                else missing++;
            }
            var d = delays.Order().ToArray();
            Console.WriteLine(string.Create(C,
                $"| acknowledged until counted in public numbers ({d.Length} probes{(missing > 0 ? $", {missing} acknowledged probes whose cell was never written" : "")}) | p50 {Pct(d, 0.5) / 1000:F2} s, p95 {Pct(d, 0.95) / 1000:F2} s, max {(d.Length > 0 ? d[^1] / 1000 : double.NaN):F2} s, min {(d.Length > 0 ? d[0] / 1000 : double.NaN):F2} s (target p95 ≤ 2 s) |"));

            // 3. Memory.
            foreach (var (service, peak, end) in memory.Read())
                Console.WriteLine(string.Create(C, $"| {service} resident memory (VmRSS, sampled every second) | peak {peak / 1024.0:F0} MB, at the end {end / 1024.0:F0} MB (target ≤ 250 MB) |"));

            // 4. Backlog.
            if (run.Backlog is { } b)
            {
                Console.WriteLine(string.Create(C, $"| backlog when the sending stopped | {run.InFlightAtLastSend} requests unanswered; Intake's outbox {b.Outbox:N0} events not forwarded; {b.Queued:N0} messages on queues; projections behind their store's last event: {string.Join(", ", b.Projections.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value:N0}"))} |"));
            }
            Console.WriteLine(drained.Done
                ? string.Create(C, $"| drained to zero (outbox, queues, every projection) | {drainTime.TotalSeconds:F1} s after the last send |")
                : string.Create(C, $"| drained to zero | not within 10 minutes: {drained.Last} |"));
            Console.WriteLine(string.Create(C, $"| pgbench single-row inserts, 8 clients, 10 s (yardstick) | before {pgbenchBefore:F0} tps, after {pgbenchAfter:F0} tps |"));
            Console.WriteLine();
            Console.WriteLine("How the time until counted is measured: each probe report is the only report of its public cell (a country no other report names, and a day of its own), so its cell's row in Publishing's mt_doc_patterncell is written first when that report is counted; the probe's time is that row's mt_last_modified (the write transaction's start, PostgreSQL's clock) minus the client's clock when the probe's 202 arrived (the same machine's clock). The write transaction's start slightly precedes its commit, so the figure can be low by the length of that transaction.");
            Console.WriteLine("The load generator shares the machine (2 cores) with the services, PostgreSQL and RabbitMQ, which another user may also be loading: the figures are from a noisy machine; pgbench is the yardstick of the moment.");
            return 0;
        }
        catch
        {
            Console.Error.WriteLine(system.RecentOutput);
            throw;
        }
        finally
        {
            memory.Dispose();
            await system.DisposeAsync();
        }
    }

    /// <summary>Bodies and signatures for <paramref name="count"/> sends; every (rate / probesPerSecond)-th a probe in a cell of its own.</summary>
    private static Send[] Prepare(WebhookSigner signer, string tag, int count, int probesPerSecond, int rate)
    {
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        int every = probesPerSecond > 0 ? Math.Max(1, rate / probesPerSecond) : int.MaxValue;
        string run = Guid.NewGuid().ToString("N")[..8];
        var sends = new Send[count];
        int probe = 0;
        for (int i = 0; i < count; i++)
        {
            string id = $"load_{run}_{tag}_{i}";
            string body;
            string? cell = null;
            if (i % every == every / 2)
            {
                string country = ProbeCountries[probe % ProbeCountries.Length];
                var day = today.AddDays(-(probe / ProbeCountries.Length) - 1);
                probe++;
                body = SampleReports.Body(country: country, handle: $"@probe_{run}_{i}", occurredAt: day.ToString("yyyy-MM-dd", C));
                cell = $"{day:yyyy-MM-dd}|{country}";
            }
            else
            {
                body = SampleReports.Body(country: LoadCountry, handle: $"@load_{run}_{tag}_{i}", occurredAt: today.AddDays(-(i % 30) - 1).ToString("yyyy-MM-dd", C));
            }
            sends[i] = new Send(id, timestamp.ToString(C), Encoding.UTF8.GetBytes(body), signer.Signature(id, timestamp, body), cell);
        }
        return sends;
    }

    private sealed class RunResult(int count)
    {
        public readonly double[] Latencies = Enumerable.Repeat(double.NaN, count).ToArray();
        public readonly DateTime?[] AcknowledgedAtUtc = new DateTime?[count];
        public readonly ConcurrentDictionary<string, int> Errors = new();
        public long Made, Skipped, Late;
        public double MaxLagMs;
        public TimeSpan Window;
        public TimeSpan? LastSendAt;
        public int InFlightAtLastSend;
        public Backlog? Backlog;
        public int Acknowledged => Latencies.Count(l => !double.IsNaN(l));
    }

    private static async Task<RunResult> OpenLoopAsync(HttpClient http, string path, Send[] sends, int rate, int maxInFlight, Func<Task<Backlog>>? atLastSend = null)
    {
        var result = new RunResult(sends.Length);
        int inFlight = 0;
        var pending = new List<Task>(sends.Length);
        long start = Stopwatch.GetTimestamp();
        long lastAnswer = start;
        double ticksPerSend = (double)Stopwatch.Frequency / rate;
        for (int i = 0; i < sends.Length; i++)
        {
            long due = start + (long)(i * ticksPerSend);
            while (Stopwatch.GetTimestamp() < due)
            {
                double ahead = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                if (ahead > 1.5) await Task.Delay(1); else Thread.Yield();
            }
            double lag = (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency;
            if (lag > 10) result.Late++;
            if (lag > result.MaxLagMs) result.MaxLagMs = lag;
            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                result.Skipped++;
                continue;
            }
            Interlocked.Increment(ref inFlight);
            result.Made++;
            int n = i;
            long dueAt = due;
            pending.Add(Task.Run(async () =>
            {
                var s = sends[n];
                string outcome;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(s.Body) };
                    request.Content.Headers.ContentType = new("application/json");
                    request.Headers.Add("webhook-id", s.Id);
                    request.Headers.Add("webhook-timestamp", s.Timestamp);
                    request.Headers.Add("webhook-signature", s.Signature);
                    using var response = await http.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    long now = Stopwatch.GetTimestamp();
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        result.AcknowledgedAtUtc[n] = DateTime.UtcNow;
                        result.Latencies[n] = (now - dueAt) * 1000.0 / Stopwatch.Frequency;
                        outcome = "";
                    }
                    else outcome = ((int)response.StatusCode).ToString(C);
                    InterlockedMax(ref lastAnswer, now);
                }
                catch (TaskCanceledException) { outcome = "timeout (60 s)"; }
                catch (HttpRequestException e) { outcome = "no answer (" + (e.HttpRequestError.ToString()) + ")"; }
                finally { Interlocked.Decrement(ref inFlight); }
                if (outcome.Length > 0) result.Errors.AddOrUpdate(outcome, 1, (_, c) => c + 1);
            }));
        }
        result.LastSendAt = TimeSpan.FromSeconds(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);
        result.InFlightAtLastSend = Volatile.Read(ref inFlight);
        if (atLastSend is not null) result.Backlog = await atLastSend();
        await Task.WhenAll(pending);
        result.Window = Stopwatch.GetElapsedTime(start, Math.Max(Interlocked.Read(ref lastAnswer), start + 1));
        return result;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private sealed record Backlog(long Outbox, long Queued, Dictionary<string, long> Projections)
    {
                public override string ToString() => string.Create(C,
            $"outbox {Outbox}, queued {(Queued < 0 ? "not counted" : Queued.ToString(C))}, {string.Join(", ", Projections.Select(p => $"{p.Key} {p.Value}"))}");
    }

    /// <summary>The backlog now: the database's figures first (read together), then the queues (rabbitmqctl takes a second or so).</summary>
    private static async Task<Backlog> BacklogAsync(RunningSystem system)
    {
        var (outbox, projections) = await StoredBacklogAsync(system);
        long queued = await Queues.PendingAsync(system.VirtualHost);
        return new Backlog(outbox, queued, projections);
    }

    /// <summary>Events Intake stored that its outbox has not forwarded, and how far each projection of Correlation and Publishing is behind its store's last event.</summary>
    private static async Task<(long Outbox, Dictionary<string, long> Projections)> StoredBacklogAsync(RunningSystem system)
    {
        string intake = system.Schema("intake");
        long outbox = await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from \"{intake}\".mt_events") -
                      await Database.ScalarAsync($"select coalesce(max(last_seq_id), 0) from \"{intake}\".mt_event_progression where name = 'report-forwarder:All'");
        var projections = new Dictionary<string, long>();
        foreach (string service in new[] { "correlation", "publishing" })
        {
            string schema = system.Schema(service);
            await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"select name, (select coalesce(max(seq_id), 0) from \"{schema}\".mt_events) - last_seq_id from \"{schema}\".mt_event_progression where name like '%:%'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) projections[$"{service} {reader.GetString(0)}"] = reader.GetInt64(1);
        }
        return (outbox, projections);
    }

    /// <summary>
    /// Polls until the outbox, the queues and every projection are at zero: the queues are counted only once the
    /// database's figures are zero, and those are read again after, so a message taken from a queue meanwhile is not missed.
    /// </summary>
    private static async Task<(bool Done, TimeSpan At, Backlog? Last)> DrainAsync(RunningSystem system, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        Backlog? last = null;
        static bool Zero(long outbox, Dictionary<string, long> projections) => outbox <= 0 && projections.Values.All(v => v <= 0);
        while (waited.Elapsed < timeout)
        {
            var (outbox, projections) = await StoredBacklogAsync(system);
            if (Zero(outbox, projections))
            {
                long queued = await Queues.PendingAsync(system.VirtualHost);
                var (outbox2, projections2) = await StoredBacklogAsync(system);
                last = new Backlog(outbox2, queued, projections2);
                if (queued == 0 && Zero(outbox2, projections2))
                    return (true, TimeSpan.FromSeconds(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency), last);
            }
            else last = new Backlog(outbox, -1, projections);
            await Task.Delay(100);
        }
        return (false, TimeSpan.FromSeconds(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency), last);
    }

    /// <summary>Each probe country's cells in Publishing's table, keyed "day|country", with when each row was last written.</summary>
    private static async Task<Dictionary<string, DateTime>> CellsWrittenAsync(string schema)
    {
        var cells = new Dictionary<string, DateTime>();
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id, mt_last_modified from \"{schema}\".mt_doc_patterncell where split_part(id, '|', 2) = any(@countries)", connection);
        command.Parameters.AddWithValue("countries", ProbeCountries);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var parts = reader.GetString(0).Split('|');
            var at = reader.GetFieldValue<DateTime>(1);
            string key = $"{parts[0]}|{parts[1]}";
            if (!cells.TryGetValue(key, out var seen) || at < seen) cells[key] = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        }
        return cells;
    }

    private static double Pct(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Resident memory (VmRSS, kB) of each service, read from /proc every second: the peak and the latest.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly IReadOnlyDictionary<string, int> _pids;
        private readonly ConcurrentDictionary<string, (long Peak, long Last)> _seen = new();
        private readonly CancellationTokenSource _stop = new();

        public MemorySampler(IReadOnlyDictionary<string, int> pids)
        {
            _pids = pids;
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Sample();
                    try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
                }
            });
        }

        private void Sample()
        {
            foreach (var (service, pid) in _pids)
            {
                long kb = Rss(pid);
                if (kb < 0) continue;
                _seen.AddOrUpdate(service, (kb, kb), (_, s) => (Math.Max(s.Peak, kb), kb));
            }
        }

        public void ResetPeaks()
        {
            Sample();
            foreach (var key in _seen.Keys) _seen.AddOrUpdate(key, (0, 0), (_, s) => (s.Last, s.Last));
        }

        public IEnumerable<(string Service, long PeakKb, long EndKb)> Read()
        {
            Sample();
            return _pids.Keys.Where(_seen.ContainsKey).Select(s => (s, _seen[s].Peak, _seen[s].Last));
        }

        private static long Rss(int pid)
        {
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], C);
            }
            catch (IOException) { }
            return -1;
        }

        public void Dispose() => _stop.Cancel();
    }
}
