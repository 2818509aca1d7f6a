using Marten;

namespace Takedowns.Testing;

public static class StartedStreams
{
    /// <summary>
    /// Fails unless the stream reads back through Marten as Marten's own: versions 1..n in order, sequence numbers rising
    /// with them, the stream's version its last event's, and its events making the aggregate.
    /// </summary>
    public static async Task AssertAsMartenWritesAsync<TAggregate>(IQuerySession session, Guid id) where TAggregate : class
    {
        var events = await session.Events.FetchStreamAsync(id);
        if (!events.Select(e => e.Version).SequenceEqual(Enumerable.Range(1, events.Count).Select(v => (long)v)))
            throw new InvalidOperationException($"Stream {id}: versions {string.Join(", ", events.Select(e => e.Version))}, not 1..{events.Count}.");
        if (!events.Select(e => e.Sequence).SequenceEqual(events.Select(e => e.Sequence).Order()))
            throw new InvalidOperationException($"Stream {id}: sequence numbers {string.Join(", ", events.Select(e => e.Sequence))} do not rise with the versions.");
        long? version = (await session.Events.FetchStreamStateAsync(id))?.Version;
        if (version != events.Count)
            throw new InvalidOperationException($"Stream {id}: its state says version {version}, its events {events.Count}.");
        if (await session.Events.AggregateStreamAsync<TAggregate>(id) is null)
            throw new InvalidOperationException($"Stream {id}: its events make no {typeof(TAggregate).Name}.");
    }
}
