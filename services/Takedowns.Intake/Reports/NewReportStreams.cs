using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Starts many report streams in one statement (<see cref="NewStreams{TAggregate}"/>): for each new report, the stream
/// row, its first event and its <see cref="Report"/> snapshot, instead of one Marten append function and one snapshot
/// insert per report (those per-report calls were what limited intake under load). A stream that already exists, a
/// replayed key, even one committed meanwhile by another process, is left alone and left out of the result, so a replay
/// stores nothing and needs no rollback.
/// </summary>
public sealed class NewReportStreams(IDocumentStore store)
{
    private readonly NewStreams<Report> _streams = new(store, snapshots: true);

    /// <summary>
    /// Writes the new streams and, in the same transaction, whatever <paramref name="alongside"/> stores for the
    /// streams that were started (and only those); commits; returns the ids of the started streams.
    /// </summary>
    public async Task<HashSet<Guid>> WriteAsync(
        IReadOnlyList<TakedownReported> events, Action<IDocumentSession, IReadOnlySet<Guid>> alongside, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var started = await _streams.StartAsync(connection, transaction,
            events.Select(e => new NewStream(e.ReportId, [e], Report.Create(e), e.ReportedAt)).ToList(), ct);
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
        {
            alongside(session, started);
            await session.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return started;
    }
}
