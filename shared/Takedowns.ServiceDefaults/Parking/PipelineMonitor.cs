using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Marten;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>
/// Watches what a service processes in the background: every few seconds it counts the parked items and measures how far
/// each subscription and asynchronous projection is behind (the age of the oldest event it has not processed yet), and it
/// follows each consumer's messages (how long one has been in processing, retries included, and how long the last one took
/// from being sent to being processed). Health and metrics read what it found.
/// </summary>
public sealed class PipelineMonitor(IServiceProvider services, Parked parked, IConfiguration configuration, ILogger<PipelineMonitor> logger)
    : BackgroundService, IReceiveObserver, IConsumeObserver
{
    public const string MeterName = "Takedowns";
    public const string LagLimitSetting = "Health:LagLimit";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<PipelineMonitor, bool> Instances = new();

    static PipelineMonitor()
    {
        Meter.CreateObservableGauge("takedowns.parked.items", () => Instances.Keys.SelectMany(m => m.Snapshot.Parked
            .Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("source", p.Key)))), "{item}",
            "Events and messages parked after their retries, per subscription, projection or queue");
        Meter.CreateObservableGauge("takedowns.lag", () => Instances.Keys.SelectMany(m => m.Lags()
            .Select(l => new Measurement<double>(l.Value.TotalSeconds, new KeyValuePair<string, object?>("source", l.Key)))), "s",
            "How far each subscription, projection and consumer is behind");
    }

    private readonly ConcurrentDictionary<ReceiveContext, (string Queue, DateTimeOffset Since)> _inFlight = new();
    private readonly ConcurrentDictionary<string, (TimeSpan Lag, DateTimeOffset At)> _lastDelivery = new();

    public const string IntervalSetting = "Health:PipelineInterval";

    /// <summary>How often parked items are counted and lag measured (<c>Health:PipelineInterval</c>, 5 s).</summary>
    public TimeSpan Interval => configuration.GetValue(IntervalSetting, TimeSpan.FromSeconds(5));

    public TimeSpan LagLimit => configuration.GetValue(LagLimitSetting, TimeSpan.FromMinutes(5));

    public const string StallLimitSetting = "Health:StallLimit";

    /// <summary>
    /// How long a subscription or projection of this process may stand still with events waiting before it is restarted
    /// (<c>Health:StallLimit</c>, 2 min). A shard that fails is paused and started again by the daemon; one whose page never
    /// ends (a call that never answers) is not, and this is what moves it on. A shard whose page keeps failing may be
    /// restarted too, which does no harm: its page is tried again, as the daemon would.
    /// </summary>
    public TimeSpan StallLimit => configuration.GetValue(StallLimitSetting, TimeSpan.FromMinutes(2));

    private readonly Dictionary<string, (long Sequence, DateTimeOffset Since)> _standing = [];

    /// <summary>How many stalled shards this process has restarted.</summary>
    public int Restarts { get; private set; }

    /// <summary>What the last look found.</summary>
    public PipelineSnapshot Snapshot { get; private set; } = PipelineSnapshot.None;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        Instances[this] = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    Snapshot = new PipelineSnapshot(DateTimeOffset.UtcNow, await parked.CountAsync(ct), await ShardLagsAsync(ct));
                    await RestartStalledAsync(ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning("Looking at parked items and lag failed: {Error}", e.GetType().Name);
                }
                await Task.Delay(Interval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Instances.TryRemove(this, out _);
        }
    }

    /// <summary>
    /// Restarts each shard this process runs that has had events waiting, without moving, for longer than
    /// <see cref="StallLimit"/>. Its page is processed again from the shard's progress, as after a crash: the daemon's
    /// delivery is at least once, and every consumer applies a change idempotently.
    /// </summary>
    private async Task RestartStalledAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, sequence) in _progress)
        {
            bool waiting = Snapshot.Lags.GetValueOrDefault(name.EndsWith(":All", StringComparison.Ordinal) ? name[..^4] : name) > TimeSpan.Zero;
            if (!waiting || !_standing.TryGetValue(name, out var standing) || standing.Sequence != sequence)
            {
                _standing[name] = (sequence, now);
                continue;
            }
            if (now - standing.Since < StallLimit) continue;
            var daemon = services.GetService<JasperFx.Events.Daemon.IProjectionCoordinator>()?.DaemonForMainDatabase();
            var agent = daemon?.CurrentAgents().FirstOrDefault(a => a.Name.Identity == name);
            if (daemon is null || agent is null) continue; // run by another instance, or not started here yet
            logger.LogWarning("{Shard} has not moved from event {Sequence} for {Seconds:0} s with events waiting ({Status}); restarting it",
                name, sequence, (now - standing.Since).TotalSeconds, agent.Status);
            await daemon.StopAgentAsync(name);
            await daemon.StartAgentAsync(name, ct);
            Restarts++;
            _standing[name] = (sequence, now);
        }
    }

    private IReadOnlyList<(string ShardName, long Sequence)> _progress = [];

    /// <summary>Each subscription's and projection's lag: the age of the first event after its progress, zero when it has none left.</summary>
    private async Task<IReadOnlyDictionary<string, TimeSpan>> ShardLagsAsync(CancellationToken ct)
    {
        var store = services.GetRequiredService<IDocumentStore>(); // not in the constructor: the bus needs this monitor, and the store's subscriptions the bus
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        string schema = store.Options.Events.DatabaseSchemaName;
        var lags = new Dictionary<string, TimeSpan>();
        await using var connection = store.Options.Tenancy.Default.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // A shard that never made progress (failing from its first page, say) has no row yet: it stands at 0.
        var known = progress.Where(p => p.ShardName != "HighWaterMark").Select(p => (p.ShardName, p.Sequence)).ToList();
        foreach (string name in ((StoreOptions)store.Options).Projections.All.Where(p => p.Lifecycle == JasperFx.Events.Projections.ProjectionLifecycle.Async)
                     .Select(p => p.Name).Concat(parked.SubscriptionNames).Select(n => $"{n}:All").Distinct())
            if (known.All(k => k.ShardName != name)) known.Add((name, 0));
        _progress = known;
        foreach (var shard in known)
        {
            await using var command = new NpgsqlCommand($"select timestamp from {schema}.mt_events where seq_id > $1 order by seq_id limit 1", connection);
            command.Parameters.AddWithValue(shard.Sequence);
            var oldest = await command.ExecuteScalarAsync(ct);
            string name = shard.ShardName.EndsWith(":All", StringComparison.Ordinal) ? shard.ShardName[..^4] : shard.ShardName;
            lags[name] = oldest is DateTime t ? DateTimeOffset.UtcNow - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))
                : oldest is DateTimeOffset o ? DateTimeOffset.UtcNow - o : TimeSpan.Zero;
        }
        return lags;
    }

    /// <summary>Every lag known now: the shards' as last measured, and each queue's (its oldest message in processing, or its last delivery if recent).</summary>
    public IReadOnlyDictionary<string, TimeSpan> Lags()
    {
        var now = DateTimeOffset.UtcNow;
        var lags = new Dictionary<string, TimeSpan>(Snapshot.Lags);
        foreach (var (queue, (lag, at)) in _lastDelivery)
            if (now - at < LagLimit) lags[queue] = lag;
        foreach (var (queue, since) in _inFlight.Values)
            if (now - since > lags.GetValueOrDefault(queue)) lags[queue] = now - since;
        return lags;
    }

    Task IReceiveObserver.PreReceive(ReceiveContext context)
    {
        _inFlight[context] = (QueueOf(context.InputAddress), DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    Task IReceiveObserver.PostReceive(ReceiveContext context)
    {
        _inFlight.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    Task IReceiveObserver.ReceiveFault(ReceiveContext context, Exception exception)
    {
        _inFlight.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    Task IReceiveObserver.PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) => Task.CompletedTask;

    Task IReceiveObserver.ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) => Task.CompletedTask;

    Task IConsumeObserver.PreConsume<T>(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeObserver.PostConsume<T>(ConsumeContext<T> context)
    {
        if (context.SentTime is { } sent)
            _lastDelivery[QueueOf(context.ReceiveContext.InputAddress)] = (DateTime.UtcNow - sent, DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    Task IConsumeObserver.ConsumeFault<T>(ConsumeContext<T> context, Exception exception) => Task.CompletedTask;

    private static string QueueOf(Uri address) => address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? address.ToString();
}

public sealed record PipelineSnapshot(DateTimeOffset At, IReadOnlyDictionary<string, int> Parked, IReadOnlyDictionary<string, TimeSpan> Lags)
{
    public static readonly PipelineSnapshot None = new(DateTimeOffset.MinValue, new Dictionary<string, int>(), new Dictionary<string, TimeSpan>());
}

/// <summary>Degraded while anything is parked, naming where.</summary>
public sealed class ParkedHealthCheck(PipelineMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var snapshot = monitor.Snapshot;
        if (snapshot.Parked.Count == 0) return Task.FromResult(HealthCheckResult.Healthy("Nothing parked"));
        string where = string.Join(", ", snapshot.Parked.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        return Task.FromResult(HealthCheckResult.Degraded(
            $"{snapshot.Parked.Values.Sum()} parked ({where}): see GET /api/admin/parked",
            data: snapshot.Parked.ToDictionary(p => p.Key, p => (object)p.Value)));
    }
}

/// <summary>Degraded while a subscription, projection or consumer is further behind than <c>Health:LagLimit</c>, naming it.</summary>
public sealed class LagHealthCheck(PipelineMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var limit = monitor.LagLimit;
        var snapshot = monitor.Snapshot;
        if (snapshot.At != DateTimeOffset.MinValue && DateTimeOffset.UtcNow - snapshot.At > limit)
            return Task.FromResult(HealthCheckResult.Degraded($"Lag not measured since {snapshot.At:O}"));
        var behind = monitor.Lags().Where(l => l.Value > limit).OrderByDescending(l => l.Value).ToList();
        if (behind.Count == 0) return Task.FromResult(HealthCheckResult.Healthy());
        return Task.FromResult(HealthCheckResult.Degraded(
            $"Behind by more than {limit}: {string.Join(", ", behind.Select(b => $"{b.Key} {b.Value.TotalSeconds:0} s"))}",
            data: behind.ToDictionary(b => b.Key, b => (object)b.Value.TotalSeconds)));
    }
}
