using System.Text.Json;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;

namespace Takedowns.Escalation.Packets;

/// <summary>One route: its name per language, its legal basis, and what the account holder must supply for it.</summary>
public sealed record RemedyRoute(IReadOnlyDictionary<string, string> Name, string Basis, IReadOnlyList<string> Elements, string? Note = null);

/// <summary>A rule: every condition given must hold (a category among those listed, an account in a DSA country or not, a campaign packet or not).</summary>
public sealed record RemedyRule(RemedyCondition When, string Route);

public sealed record RemedyCondition(IReadOnlyList<string>? Category = null, IReadOnlyList<string>? Platform = null, bool? DsaRecipient = null, bool? Campaign = null);

/// <summary>
/// The remedy routes table (<c>Packets/remedy-routes.json</c>, embedded in the service): the routes a packet can propose,
/// the rules that choose one per account (the first that holds), the countries where the DSA's routes apply, and how
/// many days a platform has to answer before a packet is overdue.
/// </summary>
public sealed record RemedyRoutes(
    int Version, IReadOnlyList<string> DsaRecipients, IReadOnlyDictionary<string, RemedyRoute> Routes, IReadOnlyList<RemedyRule> Rules,
    IReadOnlyDictionary<string, int> AnswerWithinDays)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The table the service ships with.</summary>
    public static RemedyRoutes Shipped { get; } = Load();

    private static RemedyRoutes Load()
    {
        using var stream = typeof(RemedyRoutes).Assembly.GetManifestResourceStream("remedy-routes.json")
                           ?? throw new InvalidOperationException("The remedy routes table is not embedded in the service.");
        var table = JsonSerializer.Deserialize<RemedyRoutes>(stream, Json) ?? throw new InvalidOperationException("The remedy routes table is empty.");
        table.Check();
        return table;
    }

    /// <summary>Every rule names a route of the table, the last rule holds for every account, and a default answer time exists.</summary>
    public void Check()
    {
        foreach (var rule in Rules)
            if (!Routes.ContainsKey(rule.Route)) throw new InvalidOperationException($"A remedy rule names the route '{rule.Route}', which the table does not have.");
        if (Rules.Count == 0 || Rules[^1].When != new RemedyCondition()) throw new InvalidOperationException("The last remedy rule must hold for every account (no conditions).");
        if (!AnswerWithinDays.ContainsKey("default")) throw new InvalidOperationException("answerWithinDays needs a default.");
    }

    /// <summary>The route the first rule that holds gives for an account.</summary>
    public string Propose(CaseFacts facts, bool campaign)
    {
        bool dsa = DsaRecipients.Contains(facts.Country);
        string category = WireNames<GroundCategory>.Of(facts.Ground.Category), platform = WireNames<Platform>.Of(facts.Platform);
        return Rules.First(r =>
            (r.When.Category is null || r.When.Category.Contains(category))
            && (r.When.Platform is null || r.When.Platform.Contains(platform))
            && (r.When.DsaRecipient is null || r.When.DsaRecipient == dsa)
            && (r.When.Campaign is null || r.When.Campaign == campaign)).Route;
    }

    /// <summary>Days a platform has to answer a sent packet.</summary>
    public int AnswerDays(Platform platform) =>
        AnswerWithinDays.TryGetValue(WireNames<Platform>.Of(platform), out int days) ? days : AnswerWithinDays["default"];
}
