using System.Threading.Channels;
using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Group commit for new reports. Requests that arrive together are written in one transaction (one round trip, one
/// fsync) instead of one each; each request is answered only after the transaction holding its report commits.
/// The report id is derived from the idempotency key, so a replay, even a concurrent one in another process, finds the
/// first stream inside the database and stores nothing.
/// </summary>
public sealed class ReportWriter(IDocumentStore store, NewReportStreams streams, TimeProvider clock, ReporterKeys keys, ILogger<ReportWriter> logger) : BackgroundService
{
    public const int MaxBatch = 256;

    /// <summary>
    /// Batches committed at once: one being written while the next fills. More writers make smaller batches, and each
    /// batch has a cost of its own (measured with 64 senders: 2 writers gave more reports/s and a p99 of about 60 ms
    /// where 4 gave about 90 ms).
    /// </summary>
    public const int Writers = 2;

    private sealed record Pending(SubmitReport Command, TaskCompletionSource<SubmitReportResult> Result, string? TraceParent);

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000)
    {
        SingleReader = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public async Task<SubmitReportResult> SubmitAsync(SubmitReport command, CancellationToken ct)
    {
        var pending = new Pending(command, new TaskCompletionSource<SubmitReportResult>(TaskCreationOptions.RunContinuationsAsynchronously), Tracing.CurrentParent());
        await _queue.Writer.WriteAsync(pending, ct);
        // Once queued, the write happens even if the caller gives up: a retry then finds it by its key.
        return await pending.Result.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => WriteLoopAsync(stoppingToken)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what was queued is still written before the process ends.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var pending)) batch.Add(pending);
            if (batch.Count > 0) await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            SubmitReportResult[] results;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    results = await WriteBatchAsync(batch);
                    break;
                }
                catch (Npgsql.PostgresException e) when (e.IsTransient && attempt < 3)
                {
                    // A deadlock or serialisation failure rolled the whole batch back: write it again.
                    logger.LogWarning("Writing {Count} reports failed transiently ({SqlState}); writing them again", batch.Count, e.SqlState);
                }
            }
            for (int i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(results[i]);
            TakedownsMetrics.ReportsStored.Add(results.Count(r => r is SubmitReportResult.Accepted { Replayed: false }),
                new KeyValuePair<string, object?>("channel", "api"));
        }
        catch (Exception e) when (batch.Count > 1 && DatabaseRefusal.Of(e) is { } state)
        {
            // One report the database refused would fail all those committed with it: each is written alone, so
            // only that one fails.
            logger.LogWarning("The database refused a batch of {Count} reports ({SqlState}); writing them one by one", batch.Count, state);
            foreach (var pending in batch) await WriteAsync([pending]);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Writing {Count} reports failed; none was acknowledged", batch.Count);
            foreach (var pending in batch) pending.Result.TrySetException(e);
        }
    }

    private async Task<SubmitReportResult[]> WriteBatchAsync(IReadOnlyList<Pending> batch)
    {
        var now = clock.GetUtcNow();
        var results = new SubmitReportResult?[batch.Count];
        // Nothing is read first: a replay finds its stream already there and is answered after the commit, as the
        // first request was.
        var leaders = new Dictionary<string, (Guid Id, string Hash)>();
        var fresh = new List<(int Index, TakedownReported Event, ReporterKey? Key)>();

        for (int i = 0; i < batch.Count; i++)
        {
            var command = batch[i].Command;
            string key = command.IdempotencyKey;
            if (leaders.TryGetValue(key, out var leader))
            {
                var (id, hash) = leader;
                results[i] = command.RequestHash is not null && hash != command.RequestHash
                    ? new SubmitReportResult.KeyReusedWithOtherBody()
                    : new SubmitReportResult.Accepted(id, Replayed: true);
                continue;
            }
            var reportId = IdempotencyRecord.ReportIdFor(key);
            leaders[key] = (reportId, command.RequestHash ?? "");
            SealedContact? sealedContact = null;
            ReporterKey? reporterKey = null;
            if (command.Contact is not null) (sealedContact, reporterKey) = ReporterVault.Seal(reportId, command.Contact, keys);
            fresh.Add((i, new TakedownReported(reportId, command.OrganisationId, command.Channel, command.SourceId, command.Report, now, sealedContact,
                TraceParent: batch[i].TraceParent), reporterKey));
        }

        var started = await streams.WriteAsync(fresh.Select(f => f.Event).ToList(), (session, started) =>
        {
            foreach (var (index, e, reporterKey) in fresh)
            {
                if (!started.Contains(e.ReportId)) continue;
                // Only a body-checked key needs a record (to tell a replay from a reuse); any other replay is known by its id alone.
                if (batch[index].Command.RequestHash is { } hash) session.Store(new IdempotencyRecord(batch[index].Command.IdempotencyKey, e.ReportId, hash, now));
                if (reporterKey is not null) session.Store(reporterKey);
            }
        }, CancellationToken.None);

        foreach (var (index, e, _) in fresh)
            results[index] = started.Contains(e.ReportId)
                ? new SubmitReportResult.Accepted(e.ReportId, Replayed: false)
                : await ReplayAsync(batch[index].Command);
        return results.Select(r => r!).ToArray();
    }

    private async Task<SubmitReportResult> ReplayAsync(SubmitReport command)
    {
        if (command.RequestHash is null) return new SubmitReportResult.Accepted(IdempotencyRecord.ReportIdFor(command.IdempotencyKey), Replayed: true);
        await using var query = store.QuerySession();
        var first = await query.LoadAsync<IdempotencyRecord>(command.IdempotencyKey)
                    ?? throw new InvalidOperationException("A report exists without its idempotency record.");
        return command.RequestHash is not null && first.RequestHash != command.RequestHash
            ? new SubmitReportResult.KeyReusedWithOtherBody()
            : new SubmitReportResult.Accepted(first.ReportId, Replayed: true);
    }
}
