using System.Collections.Concurrent;
using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events.Daemon.Coordination;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>A message a consumer could not process after its retries, kept with its reason until it is replayed or discarded.</summary>
public sealed class ParkedMessage
{
    public Guid Id { get; set; }

    /// <summary>The queue it came from, and is sent to again on replay.</summary>
    public string Queue { get; set; } = "";

    /// <summary>The message type's URN (<c>urn:message:Namespace:Type</c>), when the body named one.</summary>
    public string? MessageType { get; set; }

    public Guid? MessageId { get; set; }

    /// <summary>The message as it arrived (MassTransit's JSON envelope, or a single change of a page of report changes).</summary>
    public string Body { get; set; } = "";

    public string Reason { get; set; } = "";

    public DateTimeOffset ParkedAt { get; set; }
}

/// <summary>A replay of a parked event, waiting for the instance that runs its subscription or projection.</summary>
public sealed class ParkedRequest
{
    /// <summary>The parked event's id.</summary>
    public Guid Id { get; set; }

    public string Source { get; set; } = "";

    public long EventSequence { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>Set by the instance that answered: <c>replayed</c>, <c>rebuilding</c> or <c>failed</c>.</summary>
    public string? Outcome { get; set; }

    public string? Reason { get; set; }
}

/// <summary>One parked item as the admin routes show it.</summary>
public sealed record ParkedItem(
    Guid Id, string Service, string Kind, string Source, string Reason, DateTimeOffset ParkedAt,
    long? EventSequence = null, string? EventType = null, string? MessageType = null);

/// <summary>What a replay did: <c>replayed</c> (processed now), <c>sent</c> (back on its queue), <c>rebuilding</c> (its projection is being rebuilt from its first event), or <c>failed</c> (still parked, with the new reason).</summary>
public sealed record ParkedReplay(Guid Id, string Outcome, string? Reason = null);

/// <summary>
/// Everything a service parked: events its subscriptions and asynchronous projections could not process (Marten's dead
/// letter table, one row per event and subscription or projection) and messages its consumers could not (its own table).
/// Lists them, counts them for health and metrics, and replays or discards them.
/// </summary>
public sealed class Parked(IServiceProvider services, ServiceName service, ILogger<Parked> logger)
{
    public const string Event = "event";
    public const string Message = "message";

    private readonly ConcurrentDictionary<string, ParkingSubscription> _subscriptions = new();

    public IDocumentStore Store => services.GetRequiredService<IDocumentStore>();

    /// <summary>The subscriptions made in this instance (those it runs).</summary>
    public IEnumerable<string> SubscriptionNames => _subscriptions.Keys;

    /// <summary>Called by each parking subscription when it is made, so its parked events can be replayed through it.</summary>
    public void Register(ParkingSubscription subscription) => _subscriptions[subscription.ParkedAs] = subscription;

    /// <summary>A message a consumer gives up on. Its id is derived from the queue and the message, so parking it twice keeps one.</summary>
    public async Task ParkMessageAsync(string queue, string? messageType, Guid? messageId, string body, Exception reason, CancellationToken ct)
    {
        var id = NameBasedGuid.Create($"parked:{queue}:{messageId?.ToString("N") ?? body}");
        await using var session = Store.LightweightSession();
        session.Store(new ParkedMessage
        {
            Id = id, Queue = queue, MessageType = messageType, MessageId = messageId, Body = body,
            Reason = Poison.Reason(reason), ParkedAt = DateTimeOffset.UtcNow,
        });
        await session.SaveChangesAsync(ct);
        logger.LogError("Parked message {ParkedId} from queue {Queue} ({MessageType}) after its retries: {Error}", id, queue, messageType, reason.GetType().Name);
    }

    /// <summary>An event a subscription gives up on, in Marten's dead letter table. One row per subscription and event, however often it is parked.</summary>
    public async Task ParkEventAsync(string subscription, IEvent e, Exception reason, CancellationToken ct)
    {
        var id = NameBasedGuid.Create($"parked:{subscription}:{e.Sequence}");
        await using var session = Store.LightweightSession();
        session.Store(new DeadLetterEvent
        {
            Id = id, ProjectionName = subscription, ShardName = "All", EventSequence = e.Sequence, Timestamp = DateTimeOffset.UtcNow,
            ExceptionType = reason.GetType().FullName ?? reason.GetType().Name, ExceptionMessage = Poison.Reason(reason),
        });
        await session.SaveChangesAsync(ct);
        logger.LogError("Parked event {Sequence} ({EventType}) of subscription {Subscription} after its retries: {Error}",
            e.Sequence, e.EventTypeName, subscription, reason.GetType().Name);
    }

    /// <summary>How many items are parked, per subscription, projection or queue.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(CancellationToken ct)
    {
        await using var session = Store.QuerySession();
        var events = await session.Query<DeadLetterEvent>().Select(d => d.ProjectionName).ToListAsync(ct);
        var messages = await session.Query<ParkedMessage>().Select(m => m.Queue).ToListAsync(ct);
        return events.Concat(messages).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
    }

    public async Task<IReadOnlyList<ParkedItem>> ListAsync(CancellationToken ct)
    {
        await using var session = Store.QuerySession();
        var events = await session.Query<DeadLetterEvent>().ToListAsync(ct);
        var messages = await session.Query<ParkedMessage>().ToListAsync(ct);
        var sequences = events.Select(d => d.EventSequence).Distinct().ToArray();
        // The types as stored, without reading the events: a parked event may be one that cannot be read. Marten leaves the
        // time of a dead letter it writes for an unreadable event unset: the row's own time stands in.
        var types = new Dictionary<long, string>();
        var written = new Dictionary<Guid, DateTimeOffset>();
        if (events.Count > 0)
        {
            string schema = Store.Options.Events.DatabaseSchemaName;
            await using var connection = Store.Options.Tenancy.Default.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using (var command = new Npgsql.NpgsqlCommand($"select seq_id, type from {schema}.mt_events where seq_id = any($1)", connection))
            {
                command.Parameters.AddWithValue(sequences);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) types[reader.GetInt64(0)] = reader.GetString(1);
            }
            await using (var command = new Npgsql.NpgsqlCommand($"select id, mt_last_modified from {Store.Options.DatabaseSchemaName}.mt_doc_deadletterevent", connection))
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) written[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }
        DateTimeOffset When(DeadLetterEvent d) => d.Timestamp != default ? d.Timestamp : written.GetValueOrDefault(d.Id);
        return events.Select(d => new ParkedItem(d.Id, service.Value, Event, d.ProjectionName, Describe(d), When(d),
                EventSequence: d.EventSequence, EventType: types.GetValueOrDefault(d.EventSequence)))
            .Concat(messages.Select(m => new ParkedItem(m.Id, service.Value, Message, m.Queue, m.Reason, m.ParkedAt, MessageType: m.MessageType)))
            .OrderBy(i => i.ParkedAt).ThenBy(i => i.Id)
            .ToList();
    }

    /// <summary>Marten's own dead letters keep the exception's type and message apart; ours keep the whole reason in the message.</summary>
    private static string Describe(DeadLetterEvent d) =>
        d.ExceptionMessage.StartsWith(d.ExceptionType + ":", StringComparison.Ordinal) ? d.ExceptionMessage : $"{d.ExceptionType}: {d.ExceptionMessage}";

    /// <summary>Replays one parked item; null when this service parked nothing with that id.</summary>
    public async Task<ParkedReplay?> ReplayAsync(Guid id, CancellationToken ct)
    {
        DeadLetterEvent? dead;
        ParkedMessage? message;
        await using (var session = Store.QuerySession())
        {
            dead = await session.LoadAsync<DeadLetterEvent>(id, ct);
            message = dead is null ? await session.LoadAsync<ParkedMessage>(id, ct) : null;
        }
        if (dead is not null) return await ReplayEventAsync(dead, ct);
        if (message is not null) return await ReplayMessageAsync(message, ct);
        return null;
    }

    public async Task<IReadOnlyList<ParkedReplay>> ReplayAllAsync(CancellationToken ct)
    {
        var results = new List<ParkedReplay>();
        var rebuilt = new HashSet<string>();
        var projections = ((StoreOptions)Store.Options).Projections.All.Select(p => p.Name).ToHashSet();
        foreach (var item in await ListAsync(ct))
        {
            // A projection is rebuilt once, whatever number of its events are parked.
            if (item.Kind == Event && projections.Contains(item.Source) && !rebuilt.Add(item.Source))
            {
                results.Add(new ParkedReplay(item.Id, "rebuilding"));
                continue;
            }
            if (await ReplayAsync(item.Id, ct) is { } replay) results.Add(replay);
        }
        return results;
    }

    /// <summary>Removes a parked item for good, without processing it; false when there is none with that id.</summary>
    public async Task<bool> DiscardAsync(Guid id, CancellationToken ct)
    {
        await using var session = Store.LightweightSession();
        bool found = await session.LoadAsync<DeadLetterEvent>(id, ct) is not null || await session.LoadAsync<ParkedMessage>(id, ct) is not null;
        if (!found) return false;
        session.Delete<DeadLetterEvent>(id);
        session.Delete<ParkedMessage>(id);
        session.Delete<ParkedRequest>(id);
        await session.SaveChangesAsync(ct);
        logger.LogWarning("Parked item {ParkedId} discarded", id);
        return true;
    }

    /// <summary>How long a replay request waits for the instance that runs the subscription or projection to answer it.</summary>
    public static TimeSpan ReplayWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An event is replayed where its subscription or projection runs (one instance of the service, the daemon's leader),
    /// so a replay is a request stored for that instance (<see cref="ParkedReplayer"/>), whose outcome is awaited here.
    /// </summary>
    private async Task<ParkedReplay> ReplayEventAsync(DeadLetterEvent dead, CancellationToken ct)
    {
        await using (var session = Store.LightweightSession())
        {
            session.Store(new ParkedRequest { Id = dead.Id, Source = dead.ProjectionName, EventSequence = dead.EventSequence, RequestedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync(ct);
        }
        var until = DateTimeOffset.UtcNow + ReplayWait;
        while (DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(200, ct);
            await using var session = Store.LightweightSession();
            if (await session.LoadAsync<ParkedRequest>(dead.Id, ct) is not { Outcome: { } outcome } answered) continue;
            session.Delete<ParkedRequest>(dead.Id);
            await session.SaveChangesAsync(ct);
            return new ParkedReplay(dead.Id, outcome, answered.Reason);
        }
        return new ParkedReplay(dead.Id, "queued", "No instance running its subscription or projection has taken the replay yet; it will when one does.");
    }

    /// <summary>
    /// Answers a replay request, when this instance runs its subscription or projection: a subscription's event is processed
    /// again here; a projection is rebuilt from its first event, so the event is applied in its place (which clears its
    /// dead letters; one that fails again is parked again). False when it runs elsewhere.
    /// </summary>
    public async Task<bool> AnswerAsync(ParkedRequest request, IReadOnlyCollection<string> runningHere, CancellationToken ct)
    {
        if (!runningHere.Contains(request.Source)) return false;
        (string Outcome, string? Reason) answer;
        if (_subscriptions.TryGetValue(request.Source, out var subscription)) answer = await ReplayThroughAsync(subscription, request, ct);
        else
        {
            var daemon = services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase();
            string projection = request.Source;
            _ = Task.Run(async () =>
            {
                try
                {
                    await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(30), CancellationToken.None);
                    logger.LogInformation("Projection {Projection} rebuilt to replay its parked events", projection);
                }
                catch (Exception failure)
                {
                    logger.LogError(failure, "Rebuilding projection {Projection} to replay its parked events failed", projection);
                }
            }, CancellationToken.None);
            answer = ("rebuilding", null);
        }
        await using var session = Store.LightweightSession();
        request.Outcome = answer.Outcome;
        request.Reason = answer.Reason;
        session.Store(request);
        await session.SaveChangesAsync(ct);
        return true;
    }

    private async Task<(string, string?)> ReplayThroughAsync(ParkingSubscription subscription, ParkedRequest request, CancellationToken ct)
    {
        IEvent? e;
        try
        {
            await using var session = Store.QuerySession();
            e = await session.Events.QueryAllRawEvents().Where(x => x.Sequence == request.EventSequence).SingleOrDefaultAsync(ct);
        }
        catch (Exception unreadable) when (Poison.Is(unreadable))
        {
            return ("failed", $"The event cannot be read: {Poison.Reason(unreadable)}");
        }
        if (e is null) return ("failed", $"Event {request.EventSequence} is no longer in the event store.");
        try
        {
            await subscription.ReplayAsync(e, request.Id, ct);
            logger.LogInformation("Parked event {Sequence} of subscription {Subscription} replayed", request.EventSequence, request.Source);
            return ("replayed", null);
        }
        catch (Exception failure) when (Poison.Is(failure))
        {
            await ParkEventAsync(request.Source, e, failure, ct);
            return ("failed", Poison.Reason(failure));
        }
    }

    private async Task<ParkedReplay> ReplayMessageAsync(ParkedMessage parked, CancellationToken ct)
    {
        object message;
        Type type;
        try
        {
            using var envelope = JsonDocument.Parse(parked.Body);
            string urn = parked.MessageType ?? throw new JsonException("The message names no type.");
            type = ContractTypes.Of(urn) ?? throw new JsonException($"No message type {urn} is known here.");
            var body = envelope.RootElement.TryGetProperty("message", out var inner) ? inner : envelope.RootElement;
            message = body.Deserialize(type, SystemTextJsonMessageSerializer.Options) ?? throw new JsonException("The message is null.");
        }
        catch (JsonException e)
        {
            return new ParkedReplay(parked.Id, "failed", $"Cannot be replayed: {e.Message} Discard it with DELETE.");
        }
        var endpoint = await services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"exchange:{parked.Queue}"));
        await endpoint.Send(message, type, context =>
        {
            if (parked.MessageId is { } messageId) context.MessageId = messageId;
        }, ct);
        await using var session = Store.LightweightSession();
        session.Delete<ParkedMessage>(parked.Id);
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Parked message {ParkedId} sent again to queue {Queue}", parked.Id, parked.Queue);
        return new ParkedReplay(parked.Id, "sent");
    }
}

/// <summary>The service's name, as parked items and health name it.</summary>
public sealed record ServiceName(string Value);

/// <summary>Integration message types by the URN MassTransit names them with.</summary>
public static class ContractTypes
{
    private static readonly Lazy<Dictionary<string, Type>> ByUrn = new(() =>
        typeof(Takedowns.Contracts.Reports.ReportChanges).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, Namespace: not null } && !t.IsNested)
            .ToDictionary(Urn, t => t));

    public static string Urn(Type t) => $"urn:message:{t.Namespace}:{t.Name}";

    public static Type? Of(string urn) => ByUrn.Value.GetValueOrDefault(urn);
}
