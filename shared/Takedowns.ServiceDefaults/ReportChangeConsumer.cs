using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Applies report changes, whether they come a page at a time (<see cref="ReportChanges"/>, what Intake's outbox
/// publishes) or one by one. Each change runs in a transaction of its own; a failure stops the page and it is delivered
/// again, and the changes already applied then change nothing, since each service applies a change idempotently.
/// Every time in a change is converted to UTC first (<see cref="ReportChangeTimes"/>).
/// </summary>
public abstract class ReportChangeConsumer(IDocumentStore store)
    : IConsumer<ReportChanges>, IConsumer<ReportSubmitted>, IConsumer<ReportRevised>, IConsumer<ReportWithdrawn>
{
    protected IDocumentStore Store { get; } = store;

    protected abstract Task SubmittedAsync(IDocumentSession session, ReportSubmitted m, CancellationToken ct);

    protected abstract Task RevisedAsync(IDocumentSession session, ReportRevised m, CancellationToken ct);

    protected abstract Task WithdrawnAsync(IDocumentSession session, ReportWithdrawn m, CancellationToken ct);

    public async Task Consume(ConsumeContext<ReportChanges> context)
    {
        var changes = context.Message.Changes;
        for (int i = 0; i < changes.Count;)
        {
            var run = NewReports(changes, i);
            if (run.Count > 1) await SubmittedManyAsync(run, context.CancellationToken);
            else await ApplyAsync(changes[i], context.CancellationToken);
            i += Math.Max(1, run.Count);
        }
    }

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
