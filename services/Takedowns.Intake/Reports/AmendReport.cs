using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Amends a report with a JSON merge patch (RFC 7396) over its submitted body: fields present replace, null removes an
/// optional field. The result is validated as a whole, and the event records each changed field before and after.
/// </summary>
public static class AmendReportEndpoint
{
    public static void MapAmendReport(this IEndpointRouteBuilder app) =>
        app.MapPatch("/api/reports/{reportId:guid}", Handle)
            .RequireAuthorization(Roles.Reporter)
            .WithName("AmendReport")
            .WithTags("Report lifecycle")
            .WithSummary("Amend a report (JSON merge patch)")
            .WithDescription("Send only the fields that change, as in the submission body; null removes an optional field. " +
                             "reporterContact cannot be amended (erase it instead).")
            .Accepts<ReportInput>("application/merge-patch+json", "application/json")
            .Produces<ReportView>()
            .LifecycleProblems()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    private static async Task<IResult> Handle(Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
        IQuerySession session, ReporterKeys keys, TimeProvider clock, CancellationToken ct)
    {
        byte[]? body = await JsonBody.ReadBytesAsync(request, ct);
        if (body is null) return JsonBody.TooLarge();
        if (JsonBody.InvalidText(body) is { } invalid)
            return Results.ValidationProblem(new Dictionary<string, string[]> { [invalid] = [JsonBody.InvalidTextMessage] });
        JsonObject? patch;
        try
        {
            patch = JsonNode.Parse(body, documentOptions: JsonBody.StrictDocument) as JsonObject;
        }
        catch (JsonException e) when (JsonBody.Duplicate(e) is { } field)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [JsonBody.DuplicateField] });
        }
        catch (JsonException)
        {
            patch = null;
        }
        if (patch is null) return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] });
        if (patch.ContainsKey("reporterContact"))
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["reporterContact"] = ["Contact data cannot be amended; erase it with DELETE /api/reports/{id}/reporter-data."],
            });

        var current = await session.LoadAsync<Report>(reportId, ct);
        if (current is null || current.OrganisationId != user.OrganisationId()) return ReportProblems.NotFound();

        JsonObject before = ReportInputs.ToJson(current.Content);
        var merged = (JsonObject)MergePatch(before.DeepClone(), patch)!;
        var errors = new ValidationErrors();
        ValidatedReport? amended = null;
        if (JsonBody.TryDeserialize<ReportInput>(JsonSerializer.SerializeToUtf8Bytes(merged), out var input, out var jsonErrors, ReportValidation.ServerOwned))
            amended = ReportValidation.Validate(input!, clock.GetUtcNow(), errors);
        else
            foreach (var (field, messages) in jsonErrors) foreach (string m in messages) errors.Add(field, m);
        if (amended is null) return errors.ToProblem();

        var draft = amended.Draft;
        var changes = Diff(before, ReportInputs.ToJson(draft));
        var result = await mediator.Send(new ChangeReport(reportId, new ReportAccess.Organisation(user.OrganisationId()),
            (r, now) => ReportDecisions.Amend(r, draft, changes, now)), ct);
        return await result.ToHttpAsync(session, keys, ct);
    }

    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null) result.Remove(name);
            else result[name] = MergePatch(result[name]?.DeepClone(), value);
        }
        return result;
    }

    /// <summary>Changed leaves, by dotted path; arrays compare as whole values.</summary>
    public static IReadOnlyList<FieldChange> Diff(JsonObject before, JsonObject after)
    {
        var a = Flatten(before, "");
        var b = Flatten(after, "");
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(k => !JsonNode.DeepEquals(a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
            .Select(k => new FieldChange(k, a.GetValueOrDefault(k)?.DeepClone(), b.GetValueOrDefault(k)?.DeepClone()))
            .ToList();
    }

    private static Dictionary<string, JsonNode?> Flatten(JsonObject node, string prefix)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in node)
        {
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (value is JsonObject child) foreach (var p in Flatten(child, path)) leaves[p.Key] = p.Value;
            else if (value is not null) leaves[path] = value;
        }
        return leaves;
    }
}

/// <summary>A stored draft written back in the submission format, so that amendments patch what the reporter sent.</summary>
public static class ReportInputs
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonObject ToJson(ReportDraft d) => (JsonObject)JsonSerializer.SerializeToNode(new ReportInput
    {
        ExternalId = d.ExternalId,
        Platform = WireNames<Platform>.Of(d.Platform),
        Account = new AccountInput { Handle = d.Account.Handle, Url = d.Account.Url, PlatformId = d.Account.PlatformId },
        SubjectType = WireNames<SubjectType>.Of(d.SubjectType),
        Country = d.Country,
        Action = WireNames<TakedownAction>.Of(d.Action),
        Ground = new GroundInput
        {
            Category = WireNames<GroundCategory>.Of(d.Ground.Category), Policy = d.Ground.Policy, NoticeText = d.Ground.NoticeText,
            Claimant = d.Ground.Claimant, ComplaintsCount = d.Ground.ComplaintsCount, LookedAutomated = d.Ground.LookedAutomated,
            ClaimedOriginalUrl = d.Ground.ClaimedOriginalUrl,
        },
        OccurredAt = d.OccurredAt is { } occurred ? ReporterTime.Local(occurred, d.OccurredAtOffsetMinutes) : d.OccurredOn.ToString("yyyy-MM-dd"),
        NoticedAt = d.NoticedAt is { } noticed ? ReporterTime.Local(noticed, d.NoticedAtOffsetMinutes) : d.NoticedOn?.ToString("yyyy-MM-dd"),
        Language = d.Language,
        AudienceSize = d.AudienceSize,
        Evidence = d.Evidence?.Select(e => new EvidenceInput { Sha256 = e.Sha256, MediaType = e.MediaType, Caption = e.Caption }).ToList(),
        Consent = d.Consent is { } c
            ? new ConsentInput { Network = c.Network, Platform = c.Platform, PublicStatistics = c.PublicStatistics, CaseStudy = c.CaseStudy }
            : null,
        Dsa = d.Dsa,
    }, Options)!;
}
