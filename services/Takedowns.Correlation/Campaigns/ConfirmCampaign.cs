namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignNoteInput
{
    public string? Note { get; init; }
}

public sealed record ConfirmCampaign(string By, string? Note, DateTimeOffset At);

public static class ConfirmCampaignAction
{
    /// <summary>Confirmed once: confirming a confirmed campaign records nothing.</summary>
    public static Decision Decide(Campaign campaign, ConfirmCampaign command) =>
        campaign.Status == CampaignStatus.Confirmed ? Decision.Nothing
            : Decision.Append(campaign.Id, new CampaignConfirmedByAnalyst(campaign.Id, command.By, command.Note, command.At));

    public static void MapConfirmCampaign(this IEndpointRouteBuilder app) =>
        CampaignActions.Map<CampaignNoteInput>(app, "confirm", "ConfirmCampaign", "Confirm a campaign (optionally with a note)",
            (i, e) => CampaignActions.Text(i.Note, "note", e, required: false),
            (id, i, by, at) => new CampaignAction(id, c => Decide(c, new ConfirmCampaign(by, i.Note?.Trim() is { Length: > 0 } n ? n : null, at))),
            allowEmpty: true);
}
