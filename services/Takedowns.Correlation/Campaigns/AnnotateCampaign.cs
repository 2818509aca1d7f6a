namespace Takedowns.Correlation.Campaigns;

public sealed record AnnotateCampaign(string By, string Note, DateTimeOffset At);

public static class AnnotateCampaignAction
{
    public static Decision Decide(Campaign campaign, AnnotateCampaign command) =>
        Decision.Append(campaign.Id, new CampaignAnnotated(campaign.Id, command.By, command.Note, command.At));

    public static void MapAnnotateCampaign(this IEndpointRouteBuilder app) =>
        CampaignActions.Map<CampaignNoteInput>(app, "annotate", "AnnotateCampaign", "Add a note to a campaign's timeline",
            (i, e) => CampaignActions.Text(i.Note, "note", e, required: true),
            (id, i, by, at) => new CampaignAction(id, c => Decide(c, new AnnotateCampaign(by, i.Note!.Trim(), at))));
}
