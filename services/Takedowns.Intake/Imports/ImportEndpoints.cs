using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Imports;

public sealed record ImportAccepted(Guid ImportId);

public sealed record ImportProgress(
    Guid ImportId, ImportStatus Status, ImportFormat Format, long RowsRead, long Accepted, long Duplicates, long Rejected,
    IReadOnlyList<ImportError> Errors, bool ErrorsTruncated, string? Failure, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>The largest file accepted, in bytes (default 512 MiB).</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>
/// Bulk import: the file is streamed into the database in 1 MiB chunks (never whole in memory), then 202 with the
/// import's id; the rows are processed in the background and the import's progress can be followed.
/// </summary>
public static class ImportEndpoints
{
    public const string CsvType = "text/csv";
    public const string NdjsonType = "application/x-ndjson";
    private const int ChunkBytes = 1024 * 1024;

    public static void MapImports(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/reports/imports", Upload)
            .RequireAuthorization(Roles.Reporter)
            .WithName("StartImport")
            .WithTags("Imports")
            .WithSummary("Import reports from CSV or NDJSON")
            .WithDescription("Content-Type text/csv (RFC 4180, header row; see the README for the columns) or application/x-ndjson " +
                             "(each line a report body as for POST /api/reports). Answers 202 once the file is stored; rows are " +
                             "processed in the background. A row is stored whole or not at all; re-sending a file stores nothing twice.")
            .Accepts<string>(CsvType, NdjsonType)
            .Produces<ImportAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        app.MapGet("/api/reports/imports/{importId:guid}", async (Guid importId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<ImportJob>(importId, ct) is { } job && job.OrganisationId == user.OrganisationId()
                    ? Results.Ok(new ImportProgress(job.Id, job.Status, job.Format, job.RowsRead, job.Accepted, job.Duplicates,
                        job.Rejected, job.Errors, job.ErrorsTruncated, job.Failure, job.CreatedAt, job.CompletedAt))
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Import not found"))
            .RequireAuthorization(Roles.Reporter)
            .WithName("GetImport")
            .WithTags("Imports")
            .WithSummary("Follow an import: rows read, accepted, duplicates, rejected, and each rejected row's line and field")
            .Produces<ImportProgress>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Upload(HttpRequest request, ClaimsPrincipal user, IDocumentStore store, TimeProvider clock,
        ImportSignal signal, Microsoft.Extensions.Options.IOptions<ImportOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        ImportFormat? format = MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? type.MediaType.Value?.ToLowerInvariant() switch { CsvType => ImportFormat.Csv, NdjsonType => ImportFormat.Ndjson, _ => null }
            : null;
        if (format is null)
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported file type",
                detail: $"Send {CsvType} or {NdjsonType}.", extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
        long max = options.Value.MaxBytes;
        if (request.ContentLength > max) return JsonBody.TooLarge((int)Math.Min(max, int.MaxValue));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;

        var job = new ImportJob
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()), OrganisationId = user.OrganisationId(), Format = format.Value,
            Status = ImportStatus.Receiving, CreatedAt = clock.GetUtcNow(),
        };
        await using (var session = store.LightweightSession())
        {
            session.Store(job);
            await session.SaveChangesAsync(ct);
        }

        try
        {
            byte[] buffer = new byte[ChunkBytes];
            while (true)
            {
                int filled = 0, read;
                while (filled < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(filled), ct)) > 0) filled += read;
                if (filled == 0) break;
                job.Bytes += filled;
                if (job.Bytes > max) throw new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
                await using var session = store.LightweightSession();
                session.Store(new ImportChunk(ImportChunk.IdOf(job.Id, job.Chunks), job.Id, job.Chunks, buffer[..filled]));
                job.Chunks++;
                session.Store(job);
                await session.SaveChangesAsync(ct);
                if (filled < buffer.Length) break;
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // The upload did not arrive whole: nothing of it is processed.
            await using var session = store.LightweightSession();
            job.Status = ImportStatus.Failed;
            job.Failure = "The upload did not complete.";
            job.CompletedAt = clock.GetUtcNow();
            session.Store(job);
            session.DeleteWhere<ImportChunk>(c => c.ImportId == job.Id);
            await session.SaveChangesAsync(CancellationToken.None);
            loggers.CreateLogger(typeof(ImportEndpoints)).LogWarning("Import {ImportId}: upload incomplete ({Reason})", job.Id, e.GetType().Name);
            return e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? JsonBody.TooLarge((int)Math.Min(max, int.MaxValue))
                : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Upload incomplete");
        }

        await using (var session = store.LightweightSession())
        {
            job.Status = ImportStatus.Running;
            session.Store(job);
            await session.SaveChangesAsync(ct);
        }
        signal.Notify();
        return Results.Accepted($"/api/reports/imports/{job.Id}", new ImportAccepted(job.Id));
    }
}
