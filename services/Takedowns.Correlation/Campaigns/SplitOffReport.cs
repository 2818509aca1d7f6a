using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignSplitInput
{
    public Guid? ReportId { get; init; }
    public string? Reason { get; init; }
}

public sealed record SplitOffReport(Guid ReportId, string By, string? Reason, DateTimeOffset At);

public static class SplitOffReportAction
{
    /// <summary>Takes a report out of the campaign; detection will not link it back. Only a report of the campaign can be.</summary>
    public static Decision Decide(Campaign campaign, SplitOffReport command)
    {
        if (campaign.Members.All(m => m.ReportId != command.ReportId))
        {
            var errors = new ValidationErrors();
            errors.Add("reportId", "Not a report of this campaign.");
            return Decision.Refuse(errors);
        }
        return Decision.Append(campaign.Id, new CampaignReportSplitOff(campaign.Id, command.ReportId, command.By, command.Reason, command.At));
    }

    public static void MapSplitOffReport(this IEndpointRouteBuilder app) =>
        CampaignActions.Map<CampaignSplitInput>(app, "split", "SplitOffReport", "Take a report out of a campaign; it is not linked back",
            (i, e) =>
            {
                if (i.ReportId is null) e.Add("reportId", "Required.");
                CampaignActions.Text(i.Reason, "reason", e, required: false);
            },
            (id, i, by, at) => new CampaignAction(id, c => Decide(c, new SplitOffReport(i.ReportId!.Value, by, i.Reason?.Trim() is { Length: > 0 } r ? r : null, at))));
}
