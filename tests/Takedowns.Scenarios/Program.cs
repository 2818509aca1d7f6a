using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Takedowns.Contracts;
using Takedowns.Scenarios;

// takedowns-scenario --out DIR [options]: writes one CSV per organisation (the bulk-import format), civic-periods.json and truth.json.
// takedowns-scenario load --gateway URL --admin-key KEY [options]: feeds the scenario through a running system.
// Options: [--family a|b|c] [--seed N] [--days N] [--countries N] [--cells N] [--rate-scale X] [--spikes N] [--campaigns N] [--warm-up N] [--null] [--end yyyy-MM-dd]
bool load = args.Length > 0 && args[0] == "load";
var options = new ScenarioOptions();
var family = ScenarioFamily.A;
string? output = null, gatewayUrl = null, adminKey = null;
bool escalationConsent = false, draftPacket = false;
for (int i = load ? 1 : 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    options = args[i] switch
    {
        "--out" => Set(ref output, Value(), options),
        "--gateway" => Set(ref gatewayUrl, Value(), options),
        "--admin-key" => Set(ref adminKey, Value(), options),
        "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--days" => options with { Days = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--countries" => options with { Countries = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--cells" => options with { CellsPerCountry = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--rate-scale" => options with { RateScale = double.Parse(Value(), CultureInfo.InvariantCulture) },
        "--spikes" => options with { Spikes = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--campaigns" => options with { Campaigns = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--organisations" => options with { Organisations = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--warm-up" => options with { WarmUpDays = int.Parse(Value(), CultureInfo.InvariantCulture) },
        "--end" => options with { End = DateOnly.ParseExact(Value(), "yyyy-MM-dd", CultureInfo.InvariantCulture) },
        "--null" => options.AsNull(),
        // Every synthetic report also allows escalation to its platform (and sharing with the network), as the demo needs.
        "--escalation-consent" => SetFlag(ref escalationConsent, options),
        // After loading, waits for a campaign and drafts a packet from it (with --escalation-consent).
        "--draft-packet" => SetFlag(ref draftPacket, options),
        "--family" => SetFamily(ref family, Value(), options),
        _ => throw new ArgumentException($"Unknown option {args[i]}."),
    };
}
if (load)
{
    if (gatewayUrl is null || adminKey is null)
    {
        Console.Error.WriteLine("usage: takedowns-scenario load --gateway URL --admin-key KEY [options]");
        return 2;
    }
    var loaded = ScenarioFamilies.Generate(family, options);
    Console.WriteLine($"loading {loaded.Reports.Count} synthetic reports ({options.Start:yyyy-MM-dd} to {options.End:yyyy-MM-dd}, " +
                      $"{loaded.Spikes.Count} planted spikes, {loaded.Campaigns.Count} planted campaigns) into {gatewayUrl}");
    using var http = new HttpClient { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromMinutes(5) };
    var loader = new ScenarioLoader(http, adminKey, Console.Out) { EscalationConsent = escalationConsent };
    await loader.LoadAsync(loaded, CancellationToken.None);
    if (draftPacket)
    {
        // The data is loaded whatever happens here: a packet that cannot be drafted is said, not fatal.
        ScenarioLoader.DraftedPacket? packet = null;
        try
        {
            packet = await loader.DraftPacketAsync(TimeSpan.FromMinutes(3), CancellationToken.None);
            if (packet is null) Console.WriteLine("  no campaign was found within 3 minutes: no packet drafted");
        }
        catch (HttpRequestException e)
        {
            Console.WriteLine($"  no packet drafted: {e.Message}");
        }
        if (packet is not null)
            Console.WriteLine($"DEMO_PACKET_ID={packet.PacketId}\nDEMO_CAMPAIGN_ID={packet.CampaignId}\nDEMO_ESCALATION_ORGANISATION_ID={packet.OrganisationId}\n" +
                              $"DEMO_ESCALATION_KEY={packet.EscalationKey}");
    }
    return 0;
}
if (output is null)
{
    Console.Error.WriteLine("usage: takedowns-scenario --out DIR [--family a|b|c] [--seed N] [--days N] [--countries N] [--cells N] [--rate-scale X] [--spikes N] [--campaigns N] [--organisations N] [--warm-up N] [--end yyyy-MM-dd] [--null]");
    return 2;
}

var scenario = ScenarioFamilies.Generate(family, options);
ScenarioFiles.Write(scenario, output);
Console.WriteLine($"{scenario.Reports.Count} reports, {scenario.Spikes.Count} planted spikes, {scenario.Campaigns.Count} planted campaigns, " +
    $"{scenario.CivicPeriods.Count} civic periods, {options.Start:yyyy-MM-dd} to {options.End:yyyy-MM-dd}: {output}");
return 0;

static ScenarioOptions SetFamily(ref ScenarioFamily target, string value, ScenarioOptions options)
{
    target = ScenarioFamilies.Parse(value);
    return options;
}

static ScenarioOptions SetFlag(ref bool target, ScenarioOptions options)
{
    target = true;
    return options;
}

static ScenarioOptions Set(ref string? target, string value, ScenarioOptions options)
{
    target = value;
    return options;
}

namespace Takedowns.Scenarios
{
    /// <summary>Writes a scenario as the files the bulk import and the civic calendar take, with its truth beside them.</summary>
    public static class ScenarioFiles
    {
        public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        };

        public const string Header = "externalId,platform,accountHandle,subjectType,country,action,groundCategory,groundPolicy,groundNoticeText,groundClaimant,groundClaimedOriginalUrl,occurredAt";

        public static void Write(Scenario scenario, string directory)
        {
            Directory.CreateDirectory(directory);
            foreach (var group in scenario.Reports.GroupBy(r => r.Organisation))
                File.WriteAllText(Path.Combine(directory, $"organisation-{group.Key}.csv"), Csv(group));
            File.WriteAllText(Path.Combine(directory, "civic-periods.json"), JsonSerializer.Serialize(scenario.CivicPeriods, Json));
            File.WriteAllText(Path.Combine(directory, "truth.json"), JsonSerializer.Serialize(new
            {
                scenario.Options,
                scenario.Spikes,
                scenario.Campaigns,
                scenario.OrganicBursts,
                CampaignMembers = scenario.Reports.Where(r => r.Campaign is not null).GroupBy(r => r.Campaign!.Value)
                    .ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Select(r => r.ExternalId).ToList()),
            }, Json));
        }

        /// <summary>
        /// The reports as a bulk-import CSV, in arrival order. With <paramref name="escalationConsent"/>, each report's
        /// reporter also allows escalation to the platform (network and public statistics as by default, no case study).
        /// </summary>
        public static string Csv(IEnumerable<SyntheticReport> reports, bool escalationConsent = false)
        {
            var sb = new StringBuilder(Header).Append(escalationConsent ? ",consentNetwork,consentPlatform,consentPublicStatistics,consentCaseStudy" : "").Append('\n');
            foreach (var r in reports)
            {
                string[] fields =
                [
                    r.ExternalId, WireNames<Platform>.Of(r.Platform), r.AccountHandle, WireNames<SubjectType>.Of(r.SubjectType), r.Country,
                    WireNames<TakedownAction>.Of(r.Action), WireNames<GroundCategory>.Of(r.Category), r.Policy ?? "", r.NoticeText ?? "",
                    r.Claimant ?? "", r.ClaimedOriginalUrl ?? "", r.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ];
                sb.AppendJoin(',', fields.Select(Quote)).Append(escalationConsent ? ",true,true,true,false" : "").Append('\n');
            }
            return sb.ToString();
        }

        private static string Quote(string field) =>
            field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
