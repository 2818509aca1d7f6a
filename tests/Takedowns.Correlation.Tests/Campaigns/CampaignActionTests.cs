using Takedowns.Contracts;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Given a campaign's events, when an analyst acts, then these events are decided: no database.</summary>
public sealed class CampaignActionTests
{
    private static readonly DateTimeOffset Start = new(2026, 9, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Start.AddDays(2);

    private static CampaignMember Member(int i, string country = "KG") =>
        new(Guid.NewGuid(), Guid.NewGuid(), $"ext-{i}", Start.AddMinutes(i), Platform.YouTube, country);

    private static Campaign Given(CampaignRaised raised, params object[] events) =>
        events.Aggregate(Campaign.Create(raised), (c, e) => Campaign.Next(c, e)!);

    private static CampaignRaised Raised(int members = 4) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Enumerable.Range(0, members).Select(i => Member(i)).ToList(), ["same claimant"], 9.5, 0.001, Start);

    [Fact]
    public void confirming_a_suspected_campaign_records_the_confirmation_with_its_note()
    {
        var raised = Raised();
        var decision = ConfirmCampaignAction.Decide(Given(raised), new ConfirmCampaign("key-1", "Same agent as in spring", Now));
        Assert.Null(decision.Refusal);
        Assert.Equal([(raised.CampaignId, (object)new CampaignConfirmedByAnalyst(raised.CampaignId, "key-1", "Same agent as in spring", Now))], decision.Events);
    }

    [Fact]
    public void confirming_a_confirmed_campaign_records_nothing()
    {
        var raised = Raised();
        var campaign = Given(raised, new CampaignConfirmedByAnalyst(raised.CampaignId, "key-1", null, Start.AddDays(1)));
        Assert.Empty(ConfirmCampaignAction.Decide(campaign, new ConfirmCampaign("key-2", null, Now)).Events);
    }

    [Fact]
    public void dismissing_records_the_reason_once()
    {
        var raised = Raised();
        var dismiss = new DismissCampaign("key-1", "A collecting society's ordinary notices", Now);
        var decision = DismissCampaignAction.Decide(Given(raised), dismiss);
        Assert.Equal([(raised.CampaignId, (object)new CampaignDismissedByAnalyst(raised.CampaignId, "key-1", dismiss.Reason, Now))], decision.Events);
        var dismissed = Given(raised, decision.Events[0].Event);
        Assert.Empty(DismissCampaignAction.Decide(dismissed, dismiss with { Reason = "Another reason" }).Events);
    }

    [Fact]
    public void a_note_is_always_recorded()
    {
        var raised = Raised();
        var decision = AnnotateCampaignAction.Decide(Given(raised), new AnnotateCampaign("key-1", "Escalate to the platform", Now));
        Assert.Equal([(raised.CampaignId, (object)new CampaignAnnotated(raised.CampaignId, "key-1", "Escalate to the platform", Now))], decision.Events);
    }

    [Fact]
    public void a_report_of_the_campaign_is_split_off()
    {
        var raised = Raised();
        var report = raised.Members[2].ReportId;
        var decision = SplitOffReportAction.Decide(Given(raised), new SplitOffReport(report, "key-1", "A genuine claim", Now));
        Assert.Equal([(raised.CampaignId, (object)new CampaignReportSplitOff(raised.CampaignId, report, "key-1", "A genuine claim", Now))], decision.Events);
    }

    [Fact]
    public void splitting_off_a_report_that_is_not_in_the_campaign_is_refused_naming_the_field()
    {
        var raised = Raised();
        var splitOff = Given(raised, new CampaignReportSplitOff(raised.CampaignId, raised.Members[0].ReportId, "key-1", null, Start.AddDays(1)));
        foreach (var report in new[] { Guid.NewGuid(), raised.Members[0].ReportId })
        {
            var decision = SplitOffReportAction.Decide(splitOff, new SplitOffReport(report, "key-1", null, Now));
            Assert.Empty(decision.Events);
            Assert.Contains("reportId", decision.Refusal!.ToDictionary().Keys);
        }
    }

    [Fact]
    public void merging_absorbs_the_others_reports_and_closes_each_of_them()
    {
        var target = Raised();
        var other = Raised(members: 5);
        var decision = MergeCampaignsAction.Decide(Given(target), [Given(other)], new MergeCampaigns([other.CampaignId], "key-1", Now));
        Assert.Null(decision.Refusal);
        Assert.Equal(2, decision.Events.Count);
        var (into, absorbedEvent) = decision.Events[0];
        var absorbed = Assert.IsType<CampaignAbsorbed>(absorbedEvent);
        Assert.Equal(target.CampaignId, into);
        Assert.Equal([other.CampaignId], absorbed.From);
        Assert.Equal(other.Members, absorbed.Members);
        Assert.Equal((other.CampaignId, (object)new CampaignMergedInto(other.CampaignId, target.CampaignId, "key-1", Now)), decision.Events[1]);
        Assert.Equal(9, Given(target, absorbed).ReportCount);
    }

    [Fact]
    public void a_merge_naming_itself_a_missing_or_an_already_merged_campaign_is_refused_whole()
    {
        var target = Raised();
        var elsewhere = Raised();
        var merged = Raised();
        var mergedAway = Given(merged, new CampaignMergedInto(merged.CampaignId, elsewhere.CampaignId, "key-2", Start.AddDays(1)));
        var missing = Guid.NewGuid();
        var decision = MergeCampaignsAction.Decide(Given(target), [mergedAway], new MergeCampaigns([target.CampaignId, missing, merged.CampaignId], "key-1", Now));
        Assert.Empty(decision.Events);
        var messages = decision.Refusal!.ToDictionary()["campaignIds"];
        Assert.Equal(3, messages.Length);
        Assert.Contains(messages, m => m.Contains("itself"));
        Assert.Contains(messages, m => m.Contains(missing.ToString()));
        Assert.Contains(messages, m => m.Contains(elsewhere.CampaignId.ToString()));
    }
}
