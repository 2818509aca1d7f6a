using System.Security.Cryptography;
using System.Text.Json;
using Marten;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Imports;

/// <summary>Wakes the worker as soon as an upload is complete, instead of at its next poll.</summary>
public sealed class ImportSignal
{
    private readonly SemaphoreSlim _signal = new(0);

    public void Notify()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Processes uploaded imports row by row, in batches that commit their reports and the import's progress together.
/// Each row is all or nothing; a bad row is recorded and skipped; a re-sent file finds its rows already there.
/// </summary>
public sealed class ImportWorker(
    IDocumentStore store, NewReportStreams streams, TimeProvider clock, ImportSignal signal, IConfiguration configuration, ReporterKeys keys, ILogger<ImportWorker> logger)
    : BackgroundService
{
    public const int BatchSize = 2000;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using (var query = store.QuerySession())
                {
                    var pending = await query.Query<ImportJob>().Where(j => j.Status == ImportStatus.Running)
                        .OrderBy(j => j.CreatedAt).Select(j => j.Id).ToListAsync(ct);
                    // Each import apart: one that keeps failing must not hold up the others.
                    foreach (var id in pending)
                    {
                        try
                        {
                            await ProcessAsync(id, ct);
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                        {
                            // A database outage, say: the import stays running and resumes from its last committed batch.
                            logger.LogError("Import {ImportId} failed ({Error}); it resumes from its last committed batch", id, Describe(e));
                        }
                    }
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(2), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database outage, say: the import stays running and resumes from its last committed batch.
                logger.LogError("Import processing failed ({Error}); retrying shortly", Describe(e));
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
        }
    }

    public async Task ProcessAsync(Guid importId, CancellationToken ct)
    {
        // With several Intake instances, an import is processed by whichever takes its lock; the lock goes with the
        // connection, so a crashed instance frees it.
        await using var lockConnection = new Npgsql.NpgsqlConnection(configuration.GetConnectionString(Takedowns.ServiceDefaults.Settings.PostgresConnection));
        await lockConnection.OpenAsync(ct);
        await using (var take = new Npgsql.NpgsqlCommand("select pg_try_advisory_lock($1)", lockConnection))
        {
            take.Parameters.AddWithValue(LockKey(importId));
            if (await take.ExecuteScalarAsync(ct) is not true) return;
        }

        var job = await LoadAsync(importId, ct);
        if (job is not { Status: ImportStatus.Running }) return;

        await using var stream = new ImportChunkStream(store, importId, job.Chunks);
        Task<ImportJob>? writing = null;
        try
        {
            // The next batch is read and validated while the one before it is being written.
            long resumeAt = job.NextLine; // what was committed before a restart is skipped
            var pending = ImportRows.Read(job.Format, stream).Where(row => row.Line >= resumeAt);
            foreach (var rows in pending.Chunk(BatchSize))
            {
                var prepared = Prepare(job, rows);
                if (writing is not null) job = await writing;
                writing = WriteOrSplitAsync(job.Id, prepared, ct);
            }
            if (writing is not null) job = await writing;
            writing = null;
            await FinishAsync(job, ImportStatus.Completed, failure: null, ct);
        }
        catch (ImportFormatException e)
        {
            if (writing is not null) job = await writing;
            job.Errors.Add(new ImportError(1, "file", e.Message));
            await FinishAsync(job, ImportStatus.Failed, e.Message, ct);
        }
        logger.LogInformation("Import {ImportId} {Status}: {Rows} rows, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected",
            importId, job.Status, job.RowsRead, job.Accepted, job.Duplicates, job.Rejected);
    }

    public static long LockKey(Guid importId) => BitConverter.ToInt64(importId.ToByteArray(), 0) ^ 0x54414B45444F574E; // "TAKEDOWN"

    private async Task<ImportJob> LoadAsync(Guid importId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return (await query.LoadAsync<ImportJob>(importId, ct))!;
    }

    /// <summary>A batch read and validated, ready to be written: its reports, and what it adds to the import's counts.</summary>
    private sealed record PreparedBatch(
        List<(TakedownReported Event, ReporterKey? Key, long Line)> Candidates, List<ImportError> Rejections, int RowsRead, int DuplicatesInBatch, long? NextLine);

    private PreparedBatch Prepare(ImportJob job, ImportRow[] rows)
    {
        var now = clock.GetUtcNow();
        var candidates = new List<(TakedownReported Event, ReporterKey? Key, long Line)>(rows.Length);
        var rejections = new List<ImportError>();
        var inBatch = new HashSet<Guid>();
        int duplicates = 0;
        foreach (var row in rows)
        {
            if (row.Input is null)
            {
                rejections.Add(new ImportError(row.Line, FieldName(job.Format, row.Field!), row.Message!));
                continue;
            }
            var errors = new ValidationErrors();
            var report = ReportValidation.Validate(row.Input, now, errors);
            if (report is null)
            {
                // One rejection per row; its further errors are kept as details of the same line.
                foreach (var (field, messages) in errors.ToDictionary())
                    rejections.Add(new ImportError(row.Line, FieldName(job.Format, field), messages[0]));
                continue;
            }
            var id = IdempotencyRecord.ReportIdFor(KeyOf(job.OrganisationId, report));
            if (!inBatch.Add(id)) { duplicates++; continue; }
            SealedContact? sealedContact = null;
            ReporterKey? reporterKey = null;
            if (report.Contact is not null) (sealedContact, reporterKey) = ReporterVault.Seal(id, report.Contact, keys);
            candidates.Add((new TakedownReported(id, job.OrganisationId, ReportChannel.Import, null, report.Draft, now, sealedContact, job.Id), reporterKey, row.Line));
        }
        return new PreparedBatch(candidates, rejections, rows.Length, duplicates, rows[^1].Line + 1);
    }

    /// <summary>Writes a batch and the import's progress in one transaction; returns the import as committed.</summary>
    private async Task<ImportJob> WriteAsync(Guid importId, PreparedBatch batch, CancellationToken ct)
    {
        // The job is read again so that its counts always continue from what was committed.
        var job = await LoadAsync(importId, ct);
        job.RowsRead += batch.RowsRead;
        job.Duplicates += batch.DuplicatesInBatch;
        long? lastRejectedLine = null;
        foreach (var error in batch.Rejections)
        {
            if (error.Line != lastRejectedLine) job.Reject(error.Line, error.Field, error.Message);
            else if (job.Errors.Count < ImportJob.MaxErrorsKept) job.Errors.Add(error);
            lastRejectedLine = error.Line;
        }
        if (batch.NextLine is { } next) job.NextLine = next;

        // A row already stored, by an earlier sending of the file or another import, is not started again.
        long acceptedBefore = job.Accepted;
        await streams.WriteAsync(batch.Candidates.Select(c => c.Event).ToList(), (session, started) =>
        {
            foreach (var (e, reporterKey, _) in batch.Candidates)
                if (started.Contains(e.ReportId) && reporterKey is not null) session.Store(reporterKey);
            job.Accepted += started.Count;
            job.Duplicates += batch.Candidates.Count - started.Count;
            session.Store(job);
        }, ct);
        TakedownsMetrics.ReportsStored.Add(job.Accepted - acceptedBefore, new KeyValuePair<string, object?>("channel", "import"));
        return job;
    }

    /// <summary>
    /// Writes a batch; where the database refuses it for a row's data (<see cref="DatabaseRefusal"/>), writes its rows
    /// one by one and rejects only those it refuses alone, so that one row never stops an import. The import's progress
    /// moves past the batch only once every row was tried; after a restart in between, the rows already written are
    /// found again and counted as duplicates.
    /// </summary>
    private async Task<ImportJob> WriteOrSplitAsync(Guid importId, PreparedBatch batch, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(importId, batch, ct);
        }
        catch (Exception e) when (batch.Candidates.Count > 1 && DatabaseRefusal.Of(e) is { } state)
        {
            logger.LogWarning("Import {ImportId}: the database refused a batch of {Count} rows ({SqlState}); writing them one by one",
                importId, batch.Candidates.Count, state);
        }
        var refused = new List<ImportError>();
        foreach (var candidate in batch.Candidates)
        {
            try
            {
                await WriteAsync(importId, new PreparedBatch([candidate], [], 0, 0, null), ct);
            }
            catch (Exception e) when (DatabaseRefusal.Of(e) is { } state)
            {
                refused.Add(new ImportError(candidate.Line, "row", $"The database refused this row (SQLSTATE {state})."));
            }
        }
        var rejections = batch.Rejections.Concat(refused).OrderBy(r => r.Line).ToList();
        return await WriteAsync(importId, batch with { Candidates = [], Rejections = rejections }, ct);
    }

    /// <summary>What an error was, without what it was about: a PostgreSQL error's context can quote the row.</summary>
    private static string Describe(Exception e) =>
        DatabaseRefusal.Of(e) is { } state ? $"SQLSTATE {state}" : e is Npgsql.PostgresException p ? $"SQLSTATE {p.SqlState}" : e.GetType().Name;

    /// <summary>A row's identity: the sender's external id where there is one, else the hash of its content.</summary>
    private static string KeyOf(Guid organisationId, ValidatedReport report)
    {
        if (report.Draft.ExternalId is { } externalId) return $"import:{organisationId:N}:ext:{externalId}";
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(new { report.Draft, report.Contact });
        return $"import:{organisationId:N}:hash:{Convert.ToHexStringLower(SHA256.HashData(content))}";
    }

    private static string FieldName(ImportFormat format, string field) =>
        format == ImportFormat.Csv ? ImportRows.CsvColumnOf(field) : field;

    private async Task FinishAsync(ImportJob job, ImportStatus status, string? failure, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        job.Status = status;
        job.Failure = failure;
        job.CompletedAt = clock.GetUtcNow();
        session.Store(job);
        session.DeleteWhere<ImportChunk>(c => c.ImportId == job.Id);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>The uploaded file read back chunk by chunk: one chunk in memory at a time.</summary>
public sealed class ImportChunkStream(IDocumentStore store, Guid importId, int chunks) : Stream
{
    private byte[] _current = [];
    private int _offset;
    private int _next;

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_offset >= _current.Length)
        {
            if (_next >= chunks) return 0;
            await using var session = store.QuerySession();
            var chunk = await session.LoadAsync<ImportChunk>(ImportChunk.IdOf(importId, _next++), ct)
                        ?? throw new InvalidOperationException($"Chunk {_next - 1} of import {importId} is missing.");
            _current = chunk.Data;
            _offset = 0;
        }
        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
