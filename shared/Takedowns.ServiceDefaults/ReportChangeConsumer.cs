using Marten;
using MassTransit;
using Microsoft.Extensions.Logging;
using Takedowns.Contracts.Reports;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Applies report changes, whether they come a page at a time (<see cref="ReportChanges"/>, what Intake's outbox
/// publishes) or one by one. Each change runs in a transaction of its own. A transient failure (the database away) stops
/// the page and it is delivered again, and the changes already applied then change nothing, since each service applies a
/// change idempotently. Any other failure is the change's own: it is tried alone a few times and then parked by itself
/// (a page of one change, replayable), and the rest of the page goes on.
/// Every time in a change is converted to UTC first (<see cref="ReportChangeTimes"/>).
/// </summary>
public abstract class ReportChangeConsumer(IDocumentStore store, Parked parked, ILogger logger)
    : IConsumer<ReportChanges>, IConsumer<ReportSubmitted>, IConsumer<ReportRevised>, IConsumer<ReportWithdrawn>
{
    protected IDocumentStore Store { get; } = store;

    protected ILogger Logger { get; } = logger;

    protected abstract Task SubmittedAsync(IDocumentSession session, ReportSubmitted m, CancellationToken ct);

    protected abstract Task RevisedAsync(IDocumentSession session, ReportRevised m, CancellationToken ct);

    protected abstract Task WithdrawnAsync(IDocumentSession session, ReportWithdrawn m, CancellationToken ct);

    public async Task Consume(ConsumeContext<ReportChanges> context)
    {
        var changes = context.Message.Changes;
        var ct = context.CancellationToken;
        for (int i = 0; i < changes.Count;)
        {
            var run = NewReports(changes, i);
            int taken = Math.Max(1, run.Count);
            try
            {
                if (run.Count > 1) await SubmittedRunAsync(run, ct);
                else await ApplyAsync(changes[i], ct);
            }
            catch (Exception e) when (Poison.Is(e) && !ct.IsCancellationRequested)
            {
                Logger.LogWarning("Applying changes {First}-{Last} of a page failed ({Error}); each is applied alone, and one that still fails is parked", i, i + taken - 1, e.GetType().Name);
                foreach (var change in changes.Skip(i).Take(taken)) await ApplyOrParkAsync(change, context);
            }
            i += taken;
        }
    }

    /// <summary>One change alone, a few times; then parked as a page of its own, under the change's event id, to be replayed.</summary>
    private async Task ApplyOrParkAsync(ReportChange change, ConsumeContext context)
    {
        var ct = context.CancellationToken;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyWithRetriesAsync(change, ct);
                return;
            }
            catch (Exception e) when (Poison.Is(e) && !ct.IsCancellationRequested)
            {
                if (attempt < Poison.Attempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
                    continue;
                }
                string queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
                string body = System.Text.Json.JsonSerializer.Serialize(new ReportChanges([change]), MassTransit.Serialization.SystemTextJsonMessageSerializer.Options);
                await parked.ParkMessageAsync(queue, Parking.ContractTypes.Urn(typeof(ReportChanges)), change.EventId, body, e, ct);
                return;
            }
        }
    }

    /// <summary>
    /// A run in one transaction, or, when another transaction (a page of another organisation naming the same incident)
    /// wrote one of its streams meanwhile, the same run again one report at a time, each seeing what the other stored:
    /// the first attempt wrote nothing, and redelivering the whole page would only race again.
    /// </summary>
    private async Task SubmittedRunAsync(IReadOnlyList<ReportSubmitted> run, CancellationToken ct)
    {
        try
        {
            await SubmittedManyAsync(run, ct);
        }
        catch (Exception e) when (IsWriteConflict(e))
        {
            Logger.LogInformation("A run of {Reports} new reports met a stream written meanwhile; applying them one by one", run.Count);
            foreach (var m in run) await ApplyWithRetriesAsync(new ReportChange(Guid.Empty, Submitted: m), ct);
        }
    }

    /// <summary>
    /// Applies one change, again from a fresh read when another transaction wrote one of its streams first (at most
    /// <see cref="ConflictAttempts"/> times; then the conflict fails the message, which is delivered again).
    /// </summary>
    private async Task ApplyWithRetriesAsync(ReportChange change, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(change, ct);
                return;
            }
            catch (Exception e) when (IsWriteConflict(e) && attempt < ConflictAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), ct);
            }
        }
    }

    private const int ConflictAttempts = 5;

    /// <summary>A stream started, or appended to, by another transaction since this one read it.</summary>
    private static bool IsWriteConflict(Exception e) =>
        e is StreamsStartedMeanwhileException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException;

    /// <summary>
    /// Applies a run of submissions of different reports of different incidents, in order; by default each in a
    /// transaction of its own, as any other change. A service may apply the run in one transaction instead (an import
    /// sends thousands of new reports in a row): the run is then stored whole or not at all, and a redelivery changes
    /// nothing, as for a single change.
    /// </summary>
    protected virtual async Task SubmittedManyAsync(IReadOnlyList<ReportSubmitted> run, CancellationToken ct)
    {
        foreach (var m in run)
        {
            await using var session = Store.LightweightSession();
            await SubmittedAsync(session, m, ct);
        }
    }

    /// <summary>The incident a submission counts in (its own when it names none).</summary>
    protected static Guid IncidentOf(ReportSubmitted m) => m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);

    /// <summary>
    /// The submissions from <paramref name="start"/> on (times in UTC) up to the first change that is not one, or that
    /// names a report or incident already in the run: no stream is written twice within a run.
    /// </summary>
    private static List<ReportSubmitted> NewReports(IReadOnlyList<ReportChange> changes, int start)
    {
        var run = new List<ReportSubmitted>();
        var reports = new HashSet<Guid>();
        var incidents = new HashSet<Guid>();
        for (int i = start; i < changes.Count; i++)
        {
            if (changes[i] is not { Submitted: not null, Revised: null, Withdrawn: null }) break;
            var m = changes[i].InUtc().Submitted!;
            if (!reports.Add(m.ReportId) || !incidents.Add(IncidentOf(m))) break;
            run.Add(m);
        }
        return run;
    }

    public Task Consume(ConsumeContext<ReportSubmitted> context) => ApplyAsync(new ReportChange(context.MessageId ?? Guid.Empty, Submitted: context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<ReportRevised> context) => ApplyAsync(new ReportChange(context.MessageId ?? Guid.Empty, Revised: context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<ReportWithdrawn> context) => ApplyAsync(new ReportChange(context.MessageId ?? Guid.Empty, Withdrawn: context.Message), context.CancellationToken);

    private async Task ApplyAsync(ReportChange change, CancellationToken ct)
    {
        await using var session = Store.LightweightSession();
        await (change.InUtc() switch
        {
            { Submitted: { } m } => SubmittedAsync(session, m, ct),
            { Revised: { } m } => RevisedAsync(session, m, ct),
            { Withdrawn: { } m } => WithdrawnAsync(session, m, ct),
            _ => throw new InvalidOperationException($"Change {change.EventId} carries no report change."),
        });
    }
}

/// <summary>
/// PostgreSQL's <c>timestamp with time zone</c> takes UTC times only: a time with another offset that reached a
/// consumer's tables would fail the change on every retry and stall everything behind it. Intake sends UTC, but a message
/// sent before it did, or by another producer, may not; so times are converted where changes come in.
/// </summary>
public static class ReportChangeTimes
{
    public static ReportChange InUtc(this ReportChange change) => change with
    {
        Submitted = change.Submitted is { } s
            ? s with { ReportedAt = s.ReportedAt.ToUniversalTime(), OccurredAt = s.OccurredAt?.ToUniversalTime() }
            : null,
        Revised = change.Revised is { } r
            ? r with { RevisedAt = r.RevisedAt.ToUniversalTime(), OccurredAt = r.OccurredAt?.ToUniversalTime() }
            : null,
        Withdrawn = change.Withdrawn is { } w ? w with { WithdrawnAt = w.WithdrawnAt.ToUniversalTime() } : null,
    };
}

/// <summary>
/// Report changes are applied one message (an outbox page of up to 500 changes) at a time per instance. Concurrent pages
/// from different organisations that name one incident would race to start its stream, and the loser's whole page would
/// be stored again; and an import's pages, taken several at once, leave the service's projections and detection almost
/// nothing of the machine until the import is through. A page at a time is stored in two round trips, which keeps up
/// with what Intake takes in.
/// </summary>
public sealed class ReportChangeConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : ReportChangeConsumer
{
    public ReportChangeConsumerDefinition() => ConcurrentMessageLimit = 1;
}
