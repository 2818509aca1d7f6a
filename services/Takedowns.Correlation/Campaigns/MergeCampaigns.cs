using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignMergeInput
{
    /// <summary>The campaigns to merge into this one.</summary>
    public IReadOnlyList<Guid>? CampaignIds { get; init; }
}

public sealed record MergeCampaigns(IReadOnlyList<Guid> CampaignIds, string By, DateTimeOffset At);

public static class MergeCampaignsAction
{
    /// <summary>
    /// Merges the named campaigns into this one: it takes their reports, and each of them lives on in it. Refused, whole,
    /// when one is this campaign itself, does not exist (<paramref name="others"/>: those that do) or was merged already.
    /// </summary>
    public static Decision Decide(Campaign campaign, IReadOnlyList<Campaign> others, MergeCampaigns command)
    {
        var errors = new ValidationErrors();
        var ids = command.CampaignIds.Distinct().ToList();
        if (ids.Contains(campaign.Id)) errors.Add("campaignIds", "A campaign cannot be merged into itself.");
        var named = others.Where(o => ids.Contains(o.Id) && o.Id != campaign.Id).ToList();
        foreach (var missing in ids.Where(id => id != campaign.Id).Except(named.Select(o => o.Id))) errors.Add("campaignIds", $"No campaign {missing}.");
        foreach (var merged in named.Where(o => !o.IsOpen)) errors.Add("campaignIds", $"Campaign {merged.Id} was already merged into {merged.MergedInto}.");
        if (!errors.IsEmpty) return Decision.Refuse(errors);

        return new Decision([
            (campaign.Id, new CampaignAbsorbed(campaign.Id, named.Select(o => o.Id).ToList(), named.SelectMany(o => o.Members).ToList(), command.By, command.At)),
            .. named.Select(o => (o.Id, (object)new CampaignMergedInto(o.Id, campaign.Id, command.By, command.At))),
        ]);
    }

    public static void MapMergeCampaigns(this IEndpointRouteBuilder app) =>
        CampaignActions.Map<CampaignMergeInput>(app, "merge", "MergeCampaigns", "Merge other campaigns into this one",
            (i, e) => { if (i.CampaignIds is not { Count: > 0 }) e.Add("campaignIds", "Name at least one campaign to merge into this one."); },
            (id, i, by, at) =>
            {
                var command = new MergeCampaigns(i.CampaignIds!, by, at);
                return new CampaignAction(id, command.CampaignIds, (c, others) => Decide(c, others, command));
            });
}
