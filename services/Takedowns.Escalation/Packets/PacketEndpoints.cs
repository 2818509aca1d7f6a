using System.Security.Claims;
using System.Security.Cryptography;
using Marten;
using Takedowns.Contracts;
using Takedowns.Escalation.Campaigns;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Signing;
using Takedowns.ServiceDefaults;

namespace Takedowns.Escalation.Packets;

public sealed record DraftRequest(string? Platform, Guid? CampaignId, List<Guid>? ReportIds, string? Language, string? Ask);

public sealed record DraftCreated(Guid PacketId, int Version);

public sealed record PacketFinalisedResponse(Guid PacketId, int Version, string Sha256, string Signature);

/// <summary>
/// Drafting, reading and finalising packets. The escalation role (or the admin) drafts, from its own reports and other
/// organisations' reports shared with the network. An organisation's key reads the packets it drafted, and those that
/// hold its reports while every other account in them is shared with the network (a packet holding another
/// organisation's private report is that organisation's and the drafter's alone); any other id answers 404. Only the
/// drafter (or the admin) changes a packet: a reader that did not draft it gets 403.
/// </summary>
public static class PacketEndpoints
{
    public static readonly string[] Languages = ["en", "ru"];
    public const int MostReports = 500;
    public const int LongestAsk = 4_000;

    public static void MapPackets(this IEndpointRouteBuilder app)
    {
        var packets = app.MapGroup("/api/escalations").WithTags("Escalation").RequireAuthorization(Roles.Escalation);

        packets.MapPost("", DraftAsync).WithName("DraftPacket").WithSummary("Draft a packet for a platform from a campaign, reports, or both")
            .Accepts<DraftRequest>("application/json").Produces<DraftCreated>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        packets.MapGet("/{packetId:guid}", GetAsync).WithName("GetPacket")
            .WithSummary("A packet as it stands, with its lifecycle; with ?version=N exactly the bytes of that version (a finalised version's never change)")
            .Produces<PacketDocument>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        packets.MapGet("/{packetId:guid}.md", (Guid packetId, HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
                RenderAsync(packetId, request, user, session, clock, (json, frozen) => Results.Text(PacketRendering.Markdown(json, frozen), "text/markdown; charset=utf-8"), ct))
            .WithName("GetPacketMarkdown").WithSummary("The packet as Markdown, in its language (?version=N for a version)")
            .Produces<string>(StatusCodes.Status200OK, "text/markdown").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        packets.MapGet("/{packetId:guid}.html", (Guid packetId, HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
                RenderAsync(packetId, request, user, session, clock, (json, frozen) => Results.Text(PacketRendering.Html(json, frozen), "text/html; charset=utf-8"), ct))
            .WithName("GetPacketHtml").WithSummary("The packet as a printable HTML page, in its language (?version=N for a version)")
            .Produces<string>(StatusCodes.Status200OK, "text/html").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        packets.MapGet("/{packetId:guid}.pdf", (Guid packetId, HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
                RenderAsync(packetId, request, user, session, clock, (json, frozen) => Results.File(PacketPdf.Render(json, frozen), "application/pdf",
                    $"packet-{packetId:N}-v{json.GetProperty("version").GetInt32()}.pdf"), ct))
            .WithName("GetPacketPdf").WithSummary("The packet as a PDF (A4), in its language (?version=N for a version)")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/pdf").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        packets.MapPost("/{packetId:guid}/finalise", FinaliseAsync).WithName("FinalisePacket")
            .WithSummary("Freeze the packet's content, record its SHA-256 and sign it (detached ES256 JWS)")
            .Produces<PacketFinalisedResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    public static IResult NotFound(string title = "No such packet") => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: title);


    /// <summary>Whether a caller acting for <paramref name="scope"/> may put a case in a packet.</summary>
    public static bool MayUse(Guid? scope, CaseFile c) => scope is null || c.OrganisationId == scope || c.Facts.SharedWithNetwork;

    private static async Task<IResult> DraftAsync(HttpRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<DraftRequest>(request, ct);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        Platform? platform = null;
        if (string.IsNullOrEmpty(input!.Platform)) errors.Add("platform", "Required: the platform the packet goes to.");
        else platform = QueryFilters.Enum<Platform>(input.Platform, "platform", errors);
        string language = input.Language ?? "en";
        if (!Languages.Contains(language)) errors.Add("language", $"Must be one of: {string.Join(", ", Languages)}.");
        if (input.Ask is { Length: > LongestAsk }) errors.Add("ask", $"At most {LongestAsk} characters.");
        var reportIds = (input.ReportIds ?? []).Distinct().ToList();
        if (input.CampaignId is null && reportIds.Count == 0)
        {
            errors.Add("campaignId", "Give campaignId, reportIds, or both.");
            errors.Add("reportIds", "Give campaignId, reportIds, or both.");
        }
        if (reportIds.Count > MostReports) errors.Add("reportIds", $"At most {MostReports} reports.");
        if (!errors.IsEmpty) return errors.ToProblem();

        var scope = user.Scope();
        var cases = (await session.LoadManyAsync<CaseFile>(ct, reportIds)).ToDictionary(c => c.Id);
        foreach (var id in reportIds)
        {
            if (!cases.TryGetValue(id, out var c) || !MayUse(scope, c)) return NotFound($"No report {id} that may be escalated");
            if (c.Facts.Platform != platform) errors.Add("reportIds", $"Report {id} is on {WireNames<Platform>.Of(c.Facts.Platform)}, not {input.Platform}.");
        }
        if (!errors.IsEmpty) return errors.ToProblem();

        var included = reportIds.Select(id => cases[id]).ToList();
        int omitted = 0;
        if (input.CampaignId is { } campaignId)
        {
            var campaign = await session.LoadAsync<CampaignFile>(campaignId, ct);
            if (campaign is null) return NotFound("No such campaign");
            var members = (await session.LoadManyAsync<CaseFile>(ct, campaign.ReportIds)).Where(c => MayUse(scope, c)).ToList();
            // A campaign is the caller's to escalate when it holds a report the caller may use.
            if (scope is not null && members.Count == 0) return NotFound("No such campaign");
            omitted = campaign.ReportIds.Distinct().Count() - members.Count;
            included.AddRange(members.Where(m => m.Facts.Platform == platform && !cases.ContainsKey(m.Id)));
        }

        var now = clock.GetUtcNow();
        var drafted = new PacketDrafted(Guid.NewGuid(), scope, platform!.Value, input.CampaignId, [.. included.Select(c => c.Id)], language,
            input.Ask, [.. included.Select(c => c.OrganisationId).Append(scope ?? Guid.Empty).Where(o => o != Guid.Empty).Distinct()], omitted, now);
        session.Events.StartStream<Packet>(drafted.PacketId, drafted);
        await session.SaveChangesAsync(ct);
        return Results.Created($"/api/escalations/{drafted.PacketId}", new DraftCreated(drafted.PacketId, 1));
    }

    private static async Task<Packet?> VisibleAsync(IQuerySession session, Guid packetId, ClaimsPrincipal user, CancellationToken ct) =>
        await session.LoadAsync<Packet>(packetId, ct) is { } p && (user.Scope() is not { } scope || p.VisibleTo(scope)) ? p : null;

    /// <summary>
    /// Whether an organisation (null: the admin) may read this content of the packet: the admin and the drafter always;
    /// an organisation whose reports it holds only while every account in it is that organisation's own or shared with
    /// the network, as the cases now stand (an account whose case is gone, retracted or no longer consented, counts as
    /// not shared).
    /// </summary>
    public static async Task<bool> MayReadAsync(IQuerySession session, Packet packet, Guid? scope, IReadOnlyCollection<Guid> accounts, CancellationToken ct)
    {
        if (scope is not { } organisation || packet.OrganisationId == organisation) return true;
        if (!packet.VisibleTo(organisation)) return false;
        var cases = await session.LoadManyAsync<CaseFile>(ct, accounts);
        return cases.Count == accounts.Distinct().Count() && cases.All(c => c.OrganisationId == organisation || c.Facts.SharedWithNetwork);
    }

    /// <summary>The report ids of the accounts a packet's JSON holds.</summary>
    public static IReadOnlyCollection<Guid> AccountsOf(System.Text.Json.JsonElement packet) =>
        [.. packet.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("reportId").GetGuid())];

    /// <summary>
    /// 404 for a packet the caller may not see, 403 for one it may read but did not draft (only the drafter, or the
    /// admin, changes a packet); null when the caller may change it.
    /// </summary>
    public static IResult? RefuseChange(Packet? packet, ClaimsPrincipal user) =>
        packet is null || (user.Scope() is { } scope && !packet.VisibleTo(scope)) ? NotFound()
        : user.Scope() is { } org && packet.OrganisationId != org
            ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your packet",
                detail: "Only the organisation that drafted a packet changes it.")
            : null;

    /// <summary>
    /// The packet's content as it stands: its listed reports and its campaign's members as the campaign now is (a merge,
    /// a split or a case arriving late shows here), on its platform, that the drafting organisation may use and that are
    /// still held (a retracted report or a withdrawn consent leaves it), less the accounts taken out. Those left out
    /// because they may not be held or used are counted, never named.
    /// </summary>
    public static async Task<PacketDocument> DraftDocumentAsync(IQuerySession session, Packet packet, DateOnly asOf, CancellationToken ct)
    {
        var campaign = packet.CampaignId is { } id ? await session.LoadAsync<CampaignFile>(id, ct) : null;
        var removed = packet.Removed ?? [];
        var wanted = packet.ReportIds.Concat(campaign?.ReportIds ?? []).Distinct().Where(r => !removed.Contains(r)).ToList();
        var held = (await session.LoadManyAsync<CaseFile>(ct, wanted)).ToDictionary(c => c.Id);
        var usable = held.Values.Where(c => MayUse(packet.OrganisationId, c)).ToList();
        int omitted = wanted.Count(r => !held.TryGetValue(r, out var c) || !MayUse(packet.OrganisationId, c));
        var name = packet.OrganisationId is { } org ? (await session.LoadAsync<OrganisationName>(org, ct))?.Name : null;
        return PacketDocument.Build(packet, [.. usable.Where(c => c.Facts.Platform == packet.Platform)], campaign, omitted, asOf, name);
    }

    /// <summary>A version's JSON bytes (and its signature when finalised), or the latest content without a version; null when there is no such version.</summary>
    private static async Task<(byte[] Json, FrozenVersion? Frozen)?> ContentAsync(IQuerySession session, Packet packet, int? version, TimeProvider clock, CancellationToken ct)
    {
        int wanted = version ?? packet.PacketVersion;
        if (packet.Frozen.FirstOrDefault(f => f.Version == wanted) is { } frozen)
            return await session.LoadAsync<FrozenPacket>(FrozenPacket.IdOf(packet.Id, wanted), ct) is { } bytes
                ? (System.Text.Encoding.UTF8.GetBytes(bytes.Content), frozen) : null;
        if (wanted != packet.PacketVersion) return null;
        return ((await DraftDocumentAsync(session, packet, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct)).ToUtf8(), null);
    }

    private static int? Version(HttpRequest request, ValidationErrors errors)
    {
        if (request.Query["version"].ToString() is not { Length: > 0 } v) return null;
        if (int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1) return n;
        errors.Add("version", "A version number, 1 or more.");
        return null;
    }

    private static async Task<IResult> RenderAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock,
        Func<System.Text.Json.JsonElement, FrozenVersion?, IResult> render, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        int? version = Version(request, errors);
        if (!errors.IsEmpty) return errors.ToProblem();
        if (await VisibleAsync(session, packetId, user, ct) is not { } packet) return NotFound();
        if (await ContentAsync(session, packet, version, clock, ct) is not { } content) return NotFound("No such version");
        using var json = System.Text.Json.JsonDocument.Parse(content.Json);
        if (!await MayReadAsync(session, packet, user.Scope(), AccountsOf(json.RootElement), ct)) return NotFound();
        return render(json.RootElement, content.Frozen);
    }

    private static async Task<IResult> GetAsync(Guid packetId, HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        int? version = Version(request, errors);
        if (!errors.IsEmpty) return errors.ToProblem();
        if (await VisibleAsync(session, packetId, user, ct) is not { } packet) return NotFound();
        if (version is null)
            return await PacketLifecycle.ReadableViewAsync(session, packet, user.Scope(), clock, ct) is { } view ? Results.Ok(view) : NotFound();
        if (await ContentAsync(session, packet, version, clock, ct) is not { } content) return NotFound("No such version");
        using (var json = System.Text.Json.JsonDocument.Parse(content.Json))
            if (!await MayReadAsync(session, packet, user.Scope(), AccountsOf(json.RootElement), ct)) return NotFound();
        return Results.Bytes(content.Json, "application/json");
    }

    private static async Task<IResult> FinaliseAsync(Guid packetId, ClaimsPrincipal user, IDocumentSession session, PacketSigner signer, TimeProvider clock, CancellationToken ct)
    {
        if (RefuseChange(await VisibleAsync(session, packetId, user, ct), user) is { } refused) return refused;
        var stream = await session.Events.FetchForWriting<Packet>(packetId, ct);
        var packet = stream.Aggregate!;
        if (packet.Finalised && packet.Frozen.LastOrDefault() is { } last && last.Version == packet.PacketVersion)
            return Results.Ok(new PacketFinalisedResponse(packetId, last.Version, last.Sha256, last.Signature)); // already: the same answer
        var now = clock.GetUtcNow();
        var document = await DraftDocumentAsync(session, packet with { Finalised = true }, DateOnly.FromDateTime(now.UtcDateTime), ct);
        if (document.Accounts.Count == 0)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to finalise",
                detail: "The packet holds no account any more (its reports were retracted, or their consent withdrawn).");
        byte[] bytes = document.ToUtf8();
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string signature = signer.SignDetached(bytes);
        var holders = (await session.LoadManyAsync<CaseFile>(ct, document.Accounts.Select(a => a.ReportId))).Select(c => c.OrganisationId).Distinct().ToList();
        stream.AppendOne(new PacketFinalised(packetId, packet.PacketVersion, System.Text.Encoding.UTF8.GetString(bytes), sha256, signature, signer.KeyId, now,
            holders, [.. document.Accounts.Select(a => a.ReportId)]));
        session.Store(new FrozenPacket(FrozenPacket.IdOf(packetId, packet.PacketVersion), packetId, packet.PacketVersion, System.Text.Encoding.UTF8.GetString(bytes)));
        await session.SaveChangesAsync(ct);
        return Results.Ok(new PacketFinalisedResponse(packetId, packet.PacketVersion, sha256, signature));
    }
}
