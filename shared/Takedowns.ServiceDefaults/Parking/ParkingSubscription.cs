using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>
/// A Marten subscription that cannot be stopped by one bad event. A page that fails with something other than a transient
/// failure is tried again on its own, without side effects (<c>trial</c>: nothing saved, nothing published), a few times;
/// if it keeps failing, its events are tried in halves until the events that fail alone are found. Those are parked
/// (Marten's dead letter table, with the reason) and the page is processed again without them, in a fresh unit of work of
/// the daemon's as usual. A transient failure (the database or broker away) parks nothing: the page is retried by the daemon until it
/// passes. A parked event is replayed through <see cref="ReplayAsync"/>, in a transaction of its own.
/// </summary>
public abstract class ParkingSubscription : SubscriptionBase
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<long> _parked = [];
    private readonly Parked _parking;
    private readonly ILogger _logger;

    protected ParkingSubscription(string name, Parked parking, ILogger logger)
    {
        ParkedAs = name;
        _parking = parking;
        _logger = logger;
        parking.Register(this);
    }

    /// <summary>The subscription's name, which its parked events carry.</summary>
    public string ParkedAs { get; }

    /// <summary>Between a failed page's trials; a test may shorten them.</summary>
    public static TimeSpan TrialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Processes a page. In a <paramref name="trial"/>, <paramref name="operations"/> is a session that is never saved and
    /// nothing may leave the process (no publish): the trial only tells whether the events can be processed.
    /// </summary>
    protected abstract Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct);

    public sealed override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var work = Without(page, _parked);
            try
            {
                return await ProcessAsync(work, operations, trial: false, ct);
            }
            catch (Exception e) when (Poison.Is(e) && !ct.IsCancellationRequested)
            {
                _logger.LogWarning("Subscription {Subscription} failed on the page of events {Floor}-{Ceiling}: {Error}; trying it again on its own",
                    ParkedAs, page.SequenceFloor, page.SequenceCeiling, e.GetType().Name);
                var poison = await FindPoisonAsync(work, operations.DocumentStore, e, ct);
                if (poison.Count == 0) throw; // it passed on its own: the daemon tries the page again
                foreach (var (bad, reason) in poison)
                {
                    await _parking.ParkEventAsync(ParkedAs, bad, reason, ct);
                    _parked.Add(bad.Sequence);
                }
                // The failed attempt may have queued changes in this unit of work, which cannot be dropped: the daemon
                // processes the page again, with a fresh one, without the parked events.
                throw new EventsParkedException(ParkedAs, poison.Count, page.SequenceFloor, page.SequenceCeiling);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Processes one parked event again, in a transaction of its own that also removes it from the parked events.</summary>
    public async Task ReplayAsync(IEvent e, Guid parkedId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var session = _parking.Store.LightweightSession();
            var listener = await ProcessAsync(Range(new ShardName(ParkedAs), e.Sequence - 1, e.Sequence, [e], null), session, trial: false, ct);
            session.Delete<DeadLetterEvent>(parkedId);
            await session.SaveChangesAsync(ct);
            await listener.AfterCommitAsync(session, null!, ct);
            _parked.Remove(e.Sequence);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The events of a failing page that fail alone, each with its failure; none when the page passes when tried again.
    /// Tried whole <see cref="Poison.Attempts"/> times (a failure that goes away was not the events'), then in halves.
    /// </summary>
    private async Task<List<(IEvent, Exception)>> FindPoisonAsync(EventRange page, IDocumentStore store, Exception first, CancellationToken ct)
    {
        Exception? failure = first;
        for (int attempt = 2; attempt <= Poison.Attempts && failure is not null; attempt++)
        {
            await Task.Delay(TrialDelay * attempt, ct);
            failure = await TrialAsync(page, page.Events, store, ct);
        }
        var poison = new List<(IEvent, Exception)>();
        if (failure is null) return poison;
        await HalvesAsync(page, page.Events, failure, store, poison, ct);
        return poison;
    }

    private async Task HalvesAsync(EventRange page, IReadOnlyList<IEvent> events, Exception failure, IDocumentStore store,
        List<(IEvent, Exception)> poison, CancellationToken ct)
    {
        if (events.Count == 1)
        {
            poison.Add((events[0], failure));
            return;
        }
        int half = events.Count / 2;
        var first = events.Take(half).ToList();
        var second = events.Skip(half).ToList();
        var firstFailure = await TrialAsync(page, first, store, ct);
        var secondFailure = await TrialAsync(page, second, store, ct);
        if (firstFailure is not null) await HalvesAsync(page, first, firstFailure, store, poison, ct);
        if (secondFailure is not null) await HalvesAsync(page, second, secondFailure, store, poison, ct);
        // Events that fail only together: each is parked, with the failure they gave together.
        if (firstFailure is null && secondFailure is null) poison.AddRange(events.Select(e => (e, failure)));
    }

    /// <summary>The failure of processing <paramref name="events"/> alone, in a session that is never saved; null when they pass.</summary>
    private async Task<Exception?> TrialAsync(EventRange page, IReadOnlyList<IEvent> events, IDocumentStore store, CancellationToken ct)
    {
        if (events.Count == 0) return null;
        await using var scratch = store.LightweightSession();
        try
        {
            await ProcessAsync(Range(page.ShardName, events[0].Sequence - 1, events[^1].Sequence, events, page.Agent), scratch, trial: true, ct);
            return null;
        }
        catch (Exception e) when (Poison.Is(e) && !ct.IsCancellationRequested)
        {
            return e;
        }
    }

    private static EventRange Without(EventRange page, HashSet<long> parked) =>
        parked.Count == 0 || !page.Events.Any(e => parked.Contains(e.Sequence))
            ? page
            : Range(page.ShardName, page.SequenceFloor, page.SequenceCeiling, page.Events.Where(e => !parked.Contains(e.Sequence)).ToList(), page.Agent);

    private static EventRange Range(ShardName shard, long floor, long ceiling, IReadOnlyList<IEvent> events, ISubscriptionAgent? agent) =>
        new(shard, floor, ceiling, agent!) { Events = events.ToList() };
}

/// <summary>Thrown to have the daemon process a page again, once the events that failed it are parked.</summary>
public sealed class EventsParkedException(string subscription, int parked, long floor, long ceiling)
    : Exception($"Subscription {subscription} parked {parked} event(s) of the page {floor}-{ceiling}; the page is processed again without them.");
