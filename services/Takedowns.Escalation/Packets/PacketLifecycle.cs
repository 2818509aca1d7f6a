using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.ServiceDefaults;

namespace Takedowns.Escalation.Packets;

public sealed record SentRequest(string? Channel, string? Reference, string? On);
public sealed record ResponseRequest(string? Text, string? On);
public sealed record OutcomeItem(Guid? ReportId, string? Outcome, string? On);
public sealed record OutcomesRequest(List<OutcomeItem>? Outcomes);
public sealed record CloseRequest(string? Reason);

/// <summary>A page of packets: each as <c>GET /api/escalations/{packetId}</c> gives it.</summary>
public sealed record PacketPage(IReadOnlyList<JsonNode> Items, string? NextCursor);

/// <summary>
/// After drafting: amending (a change to a finalised packet opens the next version), sending, the platform's answers,
/// outcomes per account and closing, each an event on the packet's stream; and the list of packets, overdue ones among
/// them. Each answers with the packet as it now stands.
/// </summary>
public static class PacketLifecycle
{
    public static readonly string[] Statuses = ["draft", "finalised", "sent", "answered", "closed", "overdue"];

    public static void MapPacketLifecycle(this IEndpointRouteBuilder app)
    {
        var packets = app.MapGroup("/api/escalations").WithTags("Escalation").RequireAuthorization(Roles.Escalation);

        packets.MapGet("", ListAsync).WithName("ListPackets")
            .WithSummary("Packets the caller may see, newest first; status=overdue lists those sent and unanswered past the platform's time to answer")
            .Produces<PacketPage>().ProducesValidationProblem();
        packets.MapPatch("/{packetId:guid}", AmendAsync).WithName("AmendPacket")
            .WithSummary("Change the ask, the language, remedy routes per account, or take accounts out (JSON merge patch); a finalised packet gets a new version")
            .Accepts<JsonObject>("application/merge-patch+json", "application/json").Produces<JsonObject>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        packets.MapPost("/{packetId:guid}/sent", SentAsync).WithName("PacketSent").WithSummary("Record that the finalised packet was sent")
            .Accepts<SentRequest>("application/json").Produces<JsonObject>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        packets.MapPost("/{packetId:guid}/responses", RespondedAsync).WithName("PlatformResponded").WithSummary("Record the platform's answer")
            .Accepts<ResponseRequest>("application/json").Produces<JsonObject>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        packets.MapPost("/{packetId:guid}/outcomes", OutcomesAsync).WithName("OutcomesRecorded").WithSummary("Record what the platform did about each account")
            .Accepts<OutcomesRequest>("application/json").Produces<JsonObject>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        packets.MapPost("/{packetId:guid}/close", CloseAsync).WithName("ClosePacket").WithSummary("Close the escalation")
            .Accepts<CloseRequest>("application/json").Produces<JsonObject>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible in the packet's state", detail: detail);

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>A required day, not after tomorrow (a time zone ahead of UTC may already be there).</summary>
    private static DateOnly? Day(string? value, string field, ValidationErrors errors, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(value)) { errors.Add(field, "Required: a date, YYYY-MM-DD."); return null; }
        var day = QueryDates.Parse(value, field, errors);
        if (day is { } d && d > Today(clock).AddDays(1)) { errors.Add(field, "Must not be in the future."); return null; }
        return day;
    }

    private static string? Text(string? value, string field, int longest, bool required, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add(field, "Required.");
            return null;
        }
        if (value.Length > longest) errors.Add(field, $"At most {longest} characters.");
        return value.Trim();
    }

    /// <summary>The packet as it stands: its latest content (the frozen bytes once finalised) and its lifecycle.</summary>
    public static async Task<JsonObject> ViewAsync(IQuerySession session, Packet packet, TimeProvider clock, CancellationToken ct)
    {
        JsonObject content;
        if (packet.Finalised && await session.LoadAsync<FrozenPacket>(FrozenPacket.IdOf(packet.Id, packet.PacketVersion), ct) is { } frozen)
            content = JsonNode.Parse(frozen.Content)!.AsObject();
        else
            content = JsonSerializer.SerializeToNode(await PacketEndpoints.DraftDocumentAsync(session, packet, Today(clock), ct), PacketDocument.Json)!.AsObject();
        var lifecycle = new PacketLifecycleView(packet.Status, packet.Overdue(Today(clock)), packet.Frozen, packet.Sent,
            packet.Responses ?? [], packet.Outcomes ?? [], packet.ClosedAt, packet.CloseReason, packet.DraftedAt, packet.UpdatedAt, packet.Withdrawn ?? []);
        content["lifecycle"] = JsonSerializer.SerializeToNode(lifecycle, PacketDocument.Json);
        return content;
    }

    /// <summary>The view, when the organisation (null: the admin) may read its content (<see cref="PacketEndpoints.MayReadAsync"/>); else null.</summary>
    public static async Task<JsonObject?> ReadableViewAsync(IQuerySession session, Packet packet, Guid? scope, TimeProvider clock, CancellationToken ct)
    {
        var view = await ViewAsync(session, packet, clock, ct);
        var accounts = view["accounts"]!.AsArray().Select(a => Guid.Parse(a!["reportId"]!.GetValue<string>())).ToList();
        return await PacketEndpoints.MayReadAsync(session, packet, scope, accounts, ct) ? view : null;
    }

    /// <summary>
    /// The reports of the packet's last finalised version that Escalation no longer holds (retracted, or no longer
    /// allowed to go to the platform): such a version must not be sent.
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> NoLongerHeldAsync(IQuerySession session, Guid packetId, CancellationToken ct)
    {
        if (await session.LoadAsync<Packet>(packetId, ct) is not { Finalised: true } packet) return [];
        if (await session.LoadAsync<FrozenPacket>(FrozenPacket.IdOf(packetId, packet.PacketVersion), ct) is not { } frozen) return [];
        using var json = JsonDocument.Parse(frozen.Content);
        var accounts = PacketEndpoints.AccountsOf(json.RootElement);
        var held = (await session.LoadManyAsync<Cases.CaseFile>(ct, accounts)).Select(c => c.Id).ToHashSet();
        return [.. accounts.Where(id => !held.Contains(id))];
    }

    /// <summary>The reports a packet may hold: those listed when it was drafted and its campaign's members now.</summary>
    private static async Task<HashSet<Guid>> MembersAsync(IQuerySession session, Guid packetId, CancellationToken ct)
    {
        var packet = await session.LoadAsync<Packet>(packetId, ct);
        var members = new HashSet<Guid>(packet?.ReportIds ?? []);
        if (packet?.CampaignId is { } id && await session.LoadAsync<Campaigns.CampaignFile>(id, ct) is { } campaign) members.UnionWith(campaign.ReportIds);
        return members;
    }


    /// <summary>Applies <paramref name="decide"/> to the packet the caller may see, appending what it returns.</summary>
    private static async Task<IResult> ChangeAsync(Guid packetId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock,
        Func<Packet, DateTimeOffset, (object? Event, IResult? Refusal)> decide, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Packet>(packetId, ct);
        if (PacketEndpoints.RefuseChange(stream.Aggregate, user) is { } refused) return refused;
        var packet = stream.Aggregate!;
        var (e, refusal) = decide(packet, clock.GetUtcNow());
        if (refusal is not null) return refusal;
        stream.AppendOne(e!);
        await session.SaveChangesAsync(ct);
        var changed = await session.LoadAsync<Packet>(packetId, ct);
        return Results.Ok(await ViewAsync(session, changed!, clock, ct));
    }

    private static async Task<IResult> AmendAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        byte[]? body = await JsonBody.ReadBytesAsync(request, ct);
        if (body is null) return JsonBody.TooLarge();
        var errors = new ValidationErrors();
        JsonObject patch;
        try
        {
            patch = JsonNode.Parse(body, documentOptions: JsonBody.StrictDocument) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            errors.Add(JsonBody.Duplicate(e) ?? "body", "A JSON object (merge patch) with ask, language or accountsRemoved.");
            return errors.ToProblem();
        }
        foreach (var (name, _) in patch)
            if (name is not ("ask" or "language" or "accountsRemoved" or "routes"))
                errors.Add(name, "Not a field a packet's patch may change (ask, language, accountsRemoved, routes).");
        string? ask = null, language = null;
        bool clearAsk = false;
        if (patch.TryGetPropertyValue("ask", out var askNode))
        {
            if (askNode is null) clearAsk = true;
            else if (askNode.GetValueKind() != JsonValueKind.String) errors.Add("ask", "A string, or null to remove it.");
            else ask = Text(askNode.GetValue<string>(), "ask", PacketEndpoints.LongestAsk, required: false, errors);
        }
        if (patch.TryGetPropertyValue("language", out var languageNode))
        {
            language = languageNode?.GetValueKind() == JsonValueKind.String ? languageNode.GetValue<string>() : null;
            if (language is null || !PacketEndpoints.Languages.Contains(language)) errors.Add("language", $"Must be one of: {string.Join(", ", PacketEndpoints.Languages)}.");
        }
        var removed = new List<Guid>();
        if (patch.TryGetPropertyValue("accountsRemoved", out var removedNode))
        {
            if (removedNode is not JsonArray items || items.Any(i => i?.GetValueKind() != JsonValueKind.String || !Guid.TryParse(i.GetValue<string>(), out _)))
                errors.Add("accountsRemoved", "An array of report ids.");
            else removed.AddRange(items.Select(i => Guid.Parse(i!.GetValue<string>())));
        }
        Dictionary<Guid, string>? routes = null;
        if (patch.TryGetPropertyValue("routes", out var routesNode))
        {
            if (routesNode is not JsonObject chosen) errors.Add("routes", "An object of report id to route.");
            else
            {
                routes = [];
                foreach (var (key, value) in chosen)
                {
                    if (!Guid.TryParse(key, out var reportId)) errors.Add($"routes.{key}", "Not a report id.");
                    else if (value?.GetValueKind() != JsonValueKind.String || !RemedyRoutes.Shipped.Routes.ContainsKey(value.GetValue<string>()))
                        errors.Add($"routes.{key}", $"Must be one of: {string.Join(", ", RemedyRoutes.Shipped.Routes.Keys.Order())}.");
                    else routes[reportId] = value.GetValue<string>();
                }
            }
        }
        if (!errors.IsEmpty) return errors.ToProblem();
        var members = await MembersAsync(session, packetId, ct);
        return await ChangeAsync(packetId, user, session, clock, (packet, now) =>
        {
            if (packet.ClosedAt is not null) return (null, Conflict("The packet is closed."));
            if (routes?.Keys.FirstOrDefault(id => !members.Contains(id)) is { } unknown && unknown != Guid.Empty)
            {
                errors.Add($"routes.{unknown}", "Not an account in the packet.");
                return (null, errors.ToProblem());
            }
            if (removed.FirstOrDefault(id => !members.Contains(id)) is var stranger && stranger != Guid.Empty)
            {
                errors.Add("accountsRemoved", $"Report {stranger} is not in the packet.");
                return (null, errors.ToProblem());
            }
            return (new PacketAmended(packetId, ask, clearAsk, language, removed, now, routes), null);
        }, ct);
    }

    private static async Task<IResult> SentAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<SentRequest>(request, ct);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        string? channel = Text(input!.Channel, "channel", 200, required: true, errors);
        string? reference = Text(input.Reference, "reference", 500, required: false, errors);
        var on = Day(input.On, "on", errors, clock);
        if (!errors.IsEmpty) return errors.ToProblem();
        var gone = await NoLongerHeldAsync(session, packetId, ct);
        return await ChangeAsync(packetId, user, session, clock, (packet, now) =>
            packet.ClosedAt is not null ? (null, Conflict("The packet is closed."))
            : !packet.Finalised ? (null, Conflict("Finalise the packet before sending it: what was sent must be the signed version."))
            : gone.Count > 0 ? (null, Conflict(
                $"{gone.Count} of this version's reports were retracted, or their reporters no longer allow escalation: amend the packet " +
                "(the next version leaves them out), finalise it and send that."))
            : (new PacketSent(packetId, packet.PacketVersion, channel!, reference, on!.Value, now), null), ct);
    }

    private static async Task<IResult> RespondedAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<ResponseRequest>(request, ct);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        string? text = Text(input!.Text, "text", 20_000, required: true, errors);
        var on = Day(input.On, "on", errors, clock);
        if (!errors.IsEmpty) return errors.ToProblem();
        return await ChangeAsync(packetId, user, session, clock, (packet, now) =>
            packet.ClosedAt is not null ? (null, Conflict("The packet is closed."))
            : packet.Sent is null ? (null, Conflict("The packet has not been sent."))
            : (new PlatformResponded(packetId, text!, on!.Value, now), null), ct);
    }

    private static async Task<IResult> OutcomesAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<OutcomesRequest>(request, ct);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        if (input!.Outcomes is not { Count: > 0 } items) errors.Add("outcomes", "Required: one outcome or more.");
        var outcomes = new List<AccountOutcome>();
        for (int i = 0; i < (input.Outcomes?.Count ?? 0); i++)
        {
            var item = input.Outcomes![i];
            if (item is null) { errors.Add($"outcomes[{i}]", "An object with reportId, outcome and on."); continue; }
            if (item.ReportId is null) errors.Add($"outcomes[{i}].reportId", "Required.");
            if (item.Outcome is null || !RemedyOutcome.Names.Contains(item.Outcome)) errors.Add($"outcomes[{i}].outcome", $"Must be one of: {string.Join(", ", RemedyOutcome.Names)}.");
            var on = Day(item.On, $"outcomes[{i}].on", errors, clock);
            if (item.ReportId is { } id && outcomes.Any(o => o.ReportId == id)) errors.Add($"outcomes[{i}].reportId", "Given twice: one outcome per account.");
            else if (item.ReportId is { } reportId && item.Outcome is { } outcome && on is { } day) outcomes.Add(new AccountOutcome(reportId, outcome, day));
        }
        if (!errors.IsEmpty) return errors.ToProblem();
        var members = await MembersAsync(session, packetId, ct);
        return await ChangeAsync(packetId, user, session, clock, (packet, now) =>
        {
            if (packet.ClosedAt is not null) return (null, Conflict("The packet is closed."));
            if (packet.Sent is null) return (null, Conflict("The packet has not been sent."));
            for (int i = 0; i < outcomes.Count; i++)
                if (!members.Contains(outcomes[i].ReportId)) errors.Add($"outcomes[{i}].reportId", "Not an account in the packet.");
            return errors.IsEmpty ? (new OutcomesRecorded(packetId, outcomes, now), null) : (null, errors.ToProblem());
        }, ct);
    }

    private static async Task<IResult> CloseAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<CloseRequest>(request, ct, allowEmpty: true);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        string? reason = Text(input?.Reason, "reason", 2_000, required: false, errors);
        if (!errors.IsEmpty) return errors.ToProblem();
        return await ChangeAsync(packetId, user, session, clock, (packet, now) =>
            packet.ClosedAt is not null ? (null, Conflict("The packet is already closed."))
            : (new PacketClosed(packetId, reason, now), null), ct);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var q = request.Query;
        var errors = new ValidationErrors();
        string? status = q["status"].ToString() is { Length: > 0 } s ? s : null;
        if (status is not null && !Statuses.Contains(status)) errors.Add("status", $"Must be one of: {string.Join(", ", Statuses)}.");
        var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
        var (after, limit) = PageCursor.Read(q, errors, PageCursor.Ticks, defaultLimit: 50, maxLimit: 200);
        if (!errors.IsEmpty) return errors.ToProblem();

        IQueryable<Packet> query = session.Query<Packet>();
        if (user.Scope() is { } scope) query = query.Where(p => p.Organisations.Contains(scope));
        if (platform is { } pl) query = query.Where(p => p.Platform == pl);
        // Ordered here, as the cursor compares (packets are few: an organisation's escalations, not its reports).
        var candidates = (await query.ToListAsync(ct)).OrderByDescending(p => p.DraftedAt.UtcTicks).ThenByDescending(p => p.Id).AsEnumerable();
        var today = Today(clock);
        if (status == "overdue") candidates = candidates.Where(p => p.Overdue(today));
        else if (status is not null) candidates = candidates.Where(p => p.Status == status);
        if (after is { } a) candidates = candidates.Where(p => p.DraftedAt.UtcTicks < a.Key || (p.DraftedAt.UtcTicks == a.Key && p.Id.CompareTo(a.Id) < 0));
        var page = candidates.Take(limit + 1).ToList();
        var items = new List<JsonNode>();
        // A packet the caller may not read as it now stands (another organisation's private report joined it) is left out.
        foreach (var p in page.Take(limit))
            if (await ReadableViewAsync(session, p, user.Scope(), clock, ct) is { } view) items.Add(view);
        string? next = page.Count > limit ? PageCursor.Encode(page[limit - 1].DraftedAt.UtcTicks, page[limit - 1].Id) : null;
        return Results.Ok(new PacketPage(items, next));
    }
}

/// <summary>Where a packet stands, beside its content (never part of a signed version).</summary>
public sealed record PacketLifecycleView(
    string Status, bool Overdue, IReadOnlyList<FrozenVersion> Versions, Sending? Sent, IReadOnlyList<PlatformResponse> Responses,
    IReadOnlyList<AccountOutcome> Outcomes, DateTimeOffset? ClosedAt, string? CloseReason, DateTimeOffset DraftedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<WithdrawnReport> Withdrawn);
