using System.Net;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Faults;

/// <summary>
/// The fault suite (<c>infra/test --faults</c>): a signed load of 5,000 reports through the gateway while services are
/// killed with SIGKILL every few seconds and started again, RabbitMQ is restarted once and PostgreSQL once. Afterwards
/// every acknowledged report is stored exactly once, Correlation's series and Publishing's totals equal the acknowledged
/// count, no consumer's effect happened twice, nothing is parked or left on a queue, and every subscription caught up.
/// </summary>
[Trait("Suite", "Faults")]
public sealed class FaultTests
{
    private const int Reports = 5_000;
    private const int Senders = 16;

    private static readonly string[] IntakeShards = ["report-forwarder:All", "api-key-forwarder:All", "case-forwarder:All"];
    private static readonly string[] CorrelationShards = ["SliceDay:All", "ReportingDelays:All", "Campaign:All", "campaign-linker:All", "analysis-forwarder:All"];
    private static readonly string[] PublishingShards = ["PatternCell:All"];

    /// <summary>Where a case's services write their logs (kept after the run: a stalled pipeline is read there).</summary>
    private static string Logs(string name) => Path.Combine(AppContext.BaseDirectory, "fault-logs", name);

    [Fact]
    public Task nothing_is_lost_or_counted_twice_while_intake_is_killed_and_the_broker_and_database_restart() =>
        UnderFaultsAsync(round => "intake");

    [Fact]
    public Task nothing_is_lost_or_counted_twice_while_correlation_and_publishing_are_killed_and_the_broker_and_database_restart() =>
        UnderFaultsAsync(round => round % 2 == 0 ? "correlation" : "publishing");

    private static async Task UnderFaultsAsync(Func<int, string> victim, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        await using var system = new RunningSystem { LogDirectory = Logs(name) };
        await system.InitializeAsync();
        var load = new FaultLoad(system, Reports, Senders);
        await load.PrepareAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var sending = load.RunAsync(TimeSpan.FromMinutes(10));
        var faults = new List<string>();
        // A fault every few seconds while the load lasts: the broker's restart second, the database's fourth, kills between.
        for (int round = 1; !sending.IsCompleted; round++)
        {
            await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(3)));
            if (sending.IsCompleted) break;
            switch (round)
            {
                case 2:
                    await TestEnvironment.RunInfraAsync("restart", "rabbitmq");
                    faults.Add("rabbitmq restarted");
                    break;
                case 4:
                    await TestEnvironment.RunInfraAsync("restart", "postgres");
                    // This process's own pooled connections died with the server: the checks below must not meet them.
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    faults.Add("postgres restarted");
                    break;
                default:
                    string service = victim(round);
                    await system.KillAsync(service);
                    faults.Add($"{service} killed");
                    await system.RestartAsync(service);
                    break;
            }
        }
        await sending;
        string what = $"{string.Join(", ", faults)}; {load.Retries} sends retried; load took {started.Elapsed.TotalSeconds:0} s";
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        Assert.True(faults.Contains("rabbitmq restarted") && faults.Contains("postgres restarted") && faults.Count(f => f.EndsWith("killed")) >= 3,
            $"The load ended before every fault: {what}");
        await AssertExactlyOnceAsync(system, load, what);
    }

    [Fact]
    public async Task with_two_instances_of_each_service_nothing_is_lost_or_counted_twice_when_one_of_each_is_killed_mid_load()
    {
        await using var system = new RunningSystem { Instances = 2, LogDirectory = Logs(nameof(with_two_instances_of_each_service_nothing_is_lost_or_counted_twice_when_one_of_each_is_killed_mid_load)) };
        await system.InitializeAsync();
        var load = new FaultLoad(system, Reports, Senders);
        await load.PrepareAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var sending = load.RunAsync(TimeSpan.FromMinutes(10));
        // A third of the way in, one instance of each service dies and stays dead: the gateway's health checks take it out
        // of rotation, the other instance's consumers take its messages, and the async daemon's leadership moves if it held it.
        await Eventually.Until(() => Task.FromResult(load.Acknowledged.Count), n => n >= Reports / 3 || sending.IsCompleted, TimeSpan.FromMinutes(5), "a third of the load");
        Assert.False(sending.IsCompleted, "The load ended before the instances were killed");
        string[] killed = ["intake#2", "correlation", "publishing#2"];
        foreach (string instance in killed) await system.KillAsync(instance);
        await sending;
        string what = $"killed {string.Join(", ", killed)} at a third of the load; {load.Retries} sends retried; load took {started.Elapsed.TotalSeconds:0} s";
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        await AssertExactlyOnceAsync(system, load, what);
    }

    [Fact]
    public async Task on_a_three_node_broker_cluster_nothing_is_lost_or_counted_twice_when_the_node_in_use_stops_mid_load()
    {
        string? node = Environment.GetEnvironmentVariable("TAKEDOWNS_RABBITMQ_NODE"), port = Environment.GetEnvironmentVariable("RabbitMq__Port");
        try
        {
            // Three nodes starting on a busy machine can take minutes.
            await TestEnvironment.RunInfraAsync(TimeSpan.FromMinutes(6), "cluster", "start");
            // Everything on the cluster: the tests' broker commands go to node a, the services connect to a and fail over.
            Environment.SetEnvironmentVariable("TAKEDOWNS_RABBITMQ_NODE", "takedowns-a@localhost");
            Environment.SetEnvironmentVariable("RabbitMq__Port", "56730");
            var cluster = new Dictionary<string, string> { ["RabbitMq:Nodes"] = "127.0.0.1:56730,127.0.0.1:56732,127.0.0.1:56734" };
            await using var system = new RunningSystem
            {
                LogDirectory = Logs(nameof(on_a_three_node_broker_cluster_nothing_is_lost_or_counted_twice_when_the_node_in_use_stops_mid_load)),
                Settings = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["intake"] = cluster, ["correlation"] = cluster, ["publishing"] = cluster, ["escalation"] = cluster },
            };
            await system.InitializeAsync();
            var load = new FaultLoad(system, Reports, Senders);
            await load.PrepareAsync();

            var started = System.Diagnostics.Stopwatch.StartNew();
            var sending = load.RunAsync(TimeSpan.FromMinutes(10));
            await Eventually.Until(() => Task.FromResult(load.Acknowledged.Count), n => n >= Reports / 3 || sending.IsCompleted, TimeSpan.FromMinutes(5), "a third of the load");
            Assert.False(sending.IsCompleted, "The load ended before the node was stopped");
            // The node every service connected to first stops; its quorum queues keep a majority on b and c.
            await TestEnvironment.RunInfraAsync("cluster", "stop-node", "a");
            Environment.SetEnvironmentVariable("TAKEDOWNS_RABBITMQ_NODE", "takedowns-b@localhost");
            await sending;
            string what = $"node a stopped at a third of the load; {load.Retries} sends retried; load took {started.Elapsed.TotalSeconds:0} s";
            TestContext.Current.TestOutputHelper?.WriteLine(what);
            await AssertExactlyOnceAsync(system, load, what);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TAKEDOWNS_RABBITMQ_NODE", node);
            Environment.SetEnvironmentVariable("RabbitMq__Port", port);
            await TestEnvironment.RunInfraAsync(TimeSpan.FromMinutes(3), "cluster", "stop");
        }
    }

    private static async Task AssertExactlyOnceAsync(RunningSystem system, FaultLoad load, string what)
    {
        Assert.Equal(Reports, load.Acknowledged.Count);
        Assert.Equal(Reports, load.Acknowledged.Values.Distinct().Count());

        // Everything delivered, everything processed. (The services' logs are under fault-logs beside the test assembly.)
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("intake"), IntakeShards, TimeSpan.FromMinutes(3));
        await Queues.WaitUntilDrainedAsync(system.VirtualHost, TimeSpan.FromMinutes(3));
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("correlation"), CorrelationShards, TimeSpan.FromMinutes(3));
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("publishing"), PublishingShards, TimeSpan.FromMinutes(3));

        // Each acknowledged report stored once, with one first event.
        string intake = system.Schema("intake"), correlation = system.Schema("correlation"), publishing = system.Schema("publishing");
        var stored = (await Database.ColumnAsync($"select id::text from \"{intake}\".mt_doc_report")).Select(Guid.Parse).ToHashSet();
        Assert.True(stored.SetEquals(load.Acknowledged.Values), $"Stored {stored.Count} reports, acknowledged {load.Acknowledged.Count} ({what})");
        Assert.Equal(Reports, await Database.ScalarAsync($"select count(*) from \"{intake}\".mt_events where type = 'takedown_reported'"));

        // Downstream, each report observed and counted once: no effect twice, none missing.
        Assert.Equal(Reports, await Database.ScalarAsync($"select count(*) from \"{correlation}\".mt_events where type = 'report_observed'"));
        Assert.Equal(Reports, await Database.ScalarAsync($"select count(distinct stream_id) from \"{correlation}\".mt_events where type = 'report_observed'"));
        Assert.Equal(Reports, await Database.ScalarAsync($"select coalesce(sum((data->>'count')::bigint), 0) from \"{correlation}\".mt_doc_sliceday"));
        Assert.Equal(Reports, await Database.ScalarAsync($"select count(*) from \"{publishing}\".mt_events where type = 'incident_counted'"));
        Assert.Equal(Reports, await Database.ScalarAsync($"select coalesce(sum((data->>'count')::bigint), 0) from \"{publishing}\".mt_doc_patterncell"));

        // The public series through the gateway says the same.
        using var client = system.Client();
        using var series = await client.GetAsync($"/api/public/patterns?groupBy=country&grain=month&from={DateTime.UtcNow.AddDays(-60):yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}&country={load.Country}");
        Assert.Equal(HttpStatusCode.OK, series.StatusCode);

        // Nothing parked anywhere, nothing left on a queue.
        using var parked = await system.Client(RunningSystem.AdminKey).GetAsync("/api/admin/parked");
        var list = JsonDocument.Parse(await parked.Content.ReadAsStringAsync()).RootElement;
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        Assert.Empty(list.GetProperty("unavailable").EnumerateArray());
        Assert.Equal(0, await Queues.PendingAsync(system.VirtualHost));
    }
}
