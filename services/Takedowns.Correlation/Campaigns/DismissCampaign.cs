namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignDismissInput
{
    public string? Reason { get; init; }
}

public sealed record DismissCampaign(string By, string Reason, DateTimeOffset At);

public static class DismissCampaignAction
{
    /// <summary>Dismissed once: dismissing a dismissed campaign records nothing (its first reason stands).</summary>
    public static Decision Decide(Campaign campaign, DismissCampaign command) =>
        campaign.Status == CampaignStatus.Dismissed ? Decision.Nothing
            : Decision.Append(campaign.Id, new CampaignDismissedByAnalyst(campaign.Id, command.By, command.Reason, command.At));

    public static void MapDismissCampaign(this IEndpointRouteBuilder app) =>
        CampaignActions.Map<CampaignDismissInput>(app, "dismiss", "DismissCampaign", "Dismiss a campaign, with the reason; it is not raised again for the same reports",
            (i, e) => CampaignActions.Text(i.Reason, "reason", e, required: true),
            (id, i, by, at) => new CampaignAction(id, c => Decide(c, new DismissCampaign(by, i.Reason!.Trim(), at))));
}
