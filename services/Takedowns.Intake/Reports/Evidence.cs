using System.Security.Claims;
using System.Security.Cryptography;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>An evidence file, stored once per content (its SHA-256 is its id), whoever attached it.</summary>
public sealed record EvidenceFile(string Id, string MediaType, long Size, byte[] Content);

/// <summary>Evidence: a hash with its media type and caption, or the file itself (up to 10 MB), hash-checked.</summary>
public static class EvidenceEndpoints
{
    public const long MaxFileBytes = 10 * 1024 * 1024;

    public static void MapEvidence(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/reports/{reportId:guid}/evidence", Attach)
            .RequireAuthorization(Roles.Reporter)
            .DisableAntiforgery()
            .WithName("AttachEvidence")
            .WithTags("Report lifecycle")
            .WithSummary("Attach evidence: its hash (JSON) or the file itself (multipart/form-data)")
            .WithDescription("JSON {sha256, mediaType, caption?}, or multipart/form-data with a 'file' part (at most 10 MB) and " +
                             "optional 'caption' and 'sha256' fields; a given sha256 must match the file.")
            .Accepts<EvidenceInput>("application/json", "multipart/form-data")
            .Produces<ReportView>()
            .LifecycleProblems()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        app.MapGet("/api/reports/{reportId:guid}/evidence/{sha256}", Download)
            .RequireAuthorization(Roles.Reporter)
            .WithName("DownloadEvidence")
            .WithTags("Report lifecycle")
            .WithSummary("Download an evidence file attached to one of your reports")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Attach(Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
        IQuerySession query, IDocumentStore store, ReporterKeys keys, CancellationToken ct)
    {
        EvidenceItem item;
        EvidenceFile? file = null;
        var errors = new ValidationErrors();
        if (request.HasFormContentType)
        {
            if (request.ContentLength > MaxFileBytes + 64 * 1024) return JsonBody.TooLarge((int)MaxFileBytes);
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = MaxFileBytes + 64 * 1024;
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = MaxFileBytes }, ct);
            }
            catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
            {
                return JsonBody.TooLarge((int)MaxFileBytes);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException && !ct.IsCancellationRequested)
            {
                // Cut short (the client gave up or lied about its length) or malformed: the client's to send again.
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The multipart body is incomplete or malformed."] });
            }
            var upload = form.Files["file"];
            if (upload is null || upload.Length == 0) errors.Add("file", "Required: the evidence file.");
            else if (upload.Length > MaxFileBytes) return JsonBody.TooLarge((int)MaxFileBytes);
            string? caption = form["caption"].ToString() is { Length: > 0 } c ? c.Trim() : null;
            if (caption?.Length > 2000) errors.Add("caption", "Must be at most 2000 characters.");
            if (NoNulText.Holds(caption)) errors.Add("caption", NoNulText.Message);
            string mediaType = upload?.ContentType is { Length: > 0 } t ? t.ToLowerInvariant() : "application/octet-stream";
            if (!errors.IsEmpty) return errors.ToProblem();

            using var buffer = new MemoryStream((int)upload!.Length);
            await upload.CopyToAsync(buffer, ct);
            byte[] content = buffer.ToArray();
            string sha = Convert.ToHexStringLower(SHA256.HashData(content));
            if (form["sha256"].ToString() is { Length: > 0 } claimed && !claimed.Trim().Equals(sha, StringComparison.OrdinalIgnoreCase))
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Hash mismatch",
                    detail: $"The file's SHA-256 is {sha}, not the sha256 given.",
                    extensions: new Dictionary<string, object?> { ["field"] = "sha256" });
            file = new EvidenceFile(sha, mediaType, content.LongLength, content);
            item = new EvidenceItem(sha, mediaType, caption, content.LongLength);
        }
        else
        {
            var (input, problem) = await JsonBody.ReadAsync<EvidenceInput>(request, ct);
            if (problem is not null) return problem;
            var checkedItem = ReportValidation.CheckEvidence(input!, "", errors);
            if (checkedItem is null) return errors.ToProblem();
            item = checkedItem;
        }

        if (file is not null)
        {
            // Stored before the event: an orphan file is harmless, an event pointing at no file is not.
            await using var session = store.LightweightSession();
            session.Store(file);
            await session.SaveChangesAsync(ct);
        }
        var result = await mediator.Send(new ChangeReport(reportId, new ReportAccess.Organisation(user.OrganisationId()),
            (r, now) => ReportDecisions.AttachEvidence(r, item, now)), ct);
        return await result.ToHttpAsync(query, keys, ct);
    }

    private static async Task<IResult> Download(Guid reportId, string sha256, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var report = await session.LoadAsync<Report>(reportId, ct);
        string sha = sha256.ToLowerInvariant();
        if (report is null || report.OrganisationId != user.OrganisationId() || report.Content.Evidence?.Any(e => e.Sha256 == sha) != true)
            return ReportProblems.NotFound();
        var file = await session.LoadAsync<EvidenceFile>(sha, ct);
        return file is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No file was uploaded for this evidence")
            : Results.File(file.Content, file.MediaType, $"{sha}");
    }
}
